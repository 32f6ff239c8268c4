"""What the agent itself says around a conversation (card pulled, service stopped,
resumed, other card).

Turkish source texts with stable `agent.*` ids, translated like flow and engine texts.
"""

from __future__ import annotations

AGENT_TEXTS: dict[str, str] = {
    "agent.card_removed": (
        "Kart çıkarıldı; görüşmeyi duraklattım. Devam etmek için aynı kartı yeniden takın."
    ),
    "agent.waiting_for_card": (
        "Kartı bekliyorum. Kartı yeniden taktığınızda kaldığımız yerden devam edeceğim; "
        "bırakmak için 'iptal' yazabilirsiniz."
    ),
    "agent.card_back": "Kart yeniden takıldı; kaldığımız yerden devam ediyoruz.",
    "agent.other_card": (
        "Bu, az önceki kart değil. Yeni kartla baştan başlıyoruz; önceki karta ait hiçbir "
        "işlem bu kartta yapılmayacak."
    ),
    "agent.service_down": (
        "Akıllı kart hizmeti (PC/SC) durdu; görüşmeyi duraklattım. Kartınız okuyucuda "
        "kalabilir. Hizmet yeniden çalıştığında kaldığımız yerden devam edeceğim; Linux'ta "
        "'sudo systemctl start pcscd' ile başlatabilirsiniz."
    ),
    "agent.waiting_for_service": (
        "Akıllı kart hizmetinin yeniden çalışmasını bekliyorum; çalıştığında kaldığımız "
        "yerden devam edeceğim. Bırakmak için 'iptal' yazabilirsiniz."
    ),
    "agent.service_back": (
        "Akıllı kart hizmeti yeniden çalışıyor; kaldığımız yerden devam ediyoruz."
    ),
    "agent.resumed": "Yarım kalan görüşmenize kaldığınız yerden devam ediyoruz.",
    "agent.unexpected": (
        "Beklenmeyen bir sorun oluştu; ayrıntıları kayıt dosyasına yazdım. Yanıtınızı yeniden "
        "yazabilir, 'baştan' yazarak yeniden başlayabilir ya da 'operatör' yazarak yardım "
        "isteyebilirsiniz."
    ),
}

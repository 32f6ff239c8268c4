"""The web page's own words: labels, hints and connection notices around the chat.

Turkish source texts with stable `web.*` ids, translated like flow and agent texts (the
catalog extractor reads `*_TEXTS` dicts in `texts.py` modules). The server sends them
with every turn, so the page itself holds no language and switches with the session.
"""

from __future__ import annotations

WEB_TEXTS: dict[str, str] = {
    "web.log_label": "Sohbet",
    "web.choices_label": "Seçenekler",
    "web.reply_label": "Yanıtınız",
    "web.secret.pin": "PIN'iniz (ekranda görünmez)",
    "web.secret.puk": "PUK (ekranda görünmez)",
    "web.secret.sms_code": "SMS Onay Kodu (ekranda görünmez)",
    "web.secret.security_word": "Güvenlik Sözcüğünüz (ekranda görünmez)",
    "web.secret_hint": (
        "Yazdığınız yalnızca gereken yere (bu bilgisayardaki karta ya da Kamu SM portalına) "
        "gönderilir ve hiçbir yere kaydedilmez; gönderdiğinizde alan temizlenir."
    ),
    "web.send": "Gönder",
    "web.file_label": "Dosya seçin",
    "web.file_hint": (
        "Dosyayı seçin ya da bu pencereye sürükleyip bırakın. Belge yalnızca bu bilgisayarda, "
        "asistanın kendi klasöründe tutulur; bu sayfayı kapattığınızda silinir."
    ),
    "web.file_sending": "Dosya alınıyor…",
    "web.file_too_large": "Bu dosya çok büyük: en fazla 50 MB'lık bir dosya seçebilirsiniz.",
    "web.file_failed": "Dosya alınamadı. Sayfayı yenileyip yeniden deneyin.",
    "web.download": "İndirin",
    "web.you": "Siz",
    "web.ended": "Görüşme sona erdi. Yeni bir görüşme için sayfayı yenileyin.",
    "web.disconnected": (
        "Asistanla bağlantı kesildi. Asistan çalışıyorsa sayfayı yenileyin; kapandıysa "
        "'nes-asistan web' komutuyla yeniden başlatın."
    ),
    "web.replaced": (
        "Görüşme başka bir sekmede açıldı; bu sekmeyi kapatabilirsiniz. Buradan devam etmek "
        "için sayfayı yenileyin."
    ),
}

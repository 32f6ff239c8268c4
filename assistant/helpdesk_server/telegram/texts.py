"""What the Telegram bot itself says (operator commands, refusals, the way to pair).

Turkish source texts with stable `telegram.*` ids, translated like flow and engine texts
into the person's Telegram language.
"""

from __future__ import annotations

TELEGRAM_TEXTS: dict[str, str] = {
    "telegram.not_operator": (
        "Bu komut yalnızca yardım masası görevlileri içindir. Size yol göstermemi "
        "isterseniz bir şey yazmanız yeterli."
    ),
    "telegram.join_usage": "Kullanım: /join KOD (kullanıcının ekranındaki 6 karakterlik kod)",
    "telegram.join_wrong": "Bu kod geçersiz, kullanılmış ya da süresi dolmuş.",
    "telegram.join_limited": (
        "Son dakikalarda çok sayıda hatalı kod girildi; kodlar bir süre denenmeyecek."
    ),
    "telegram.already_joined": "Zaten bir görüşmedesiniz; önce /leave yazın.",
    "telegram.not_joined": "Şu an bir görüşmede değilsiniz; /join KOD ile katılın.",
    "telegram.left": "Görüşmeden ayrıldınız.",
    "telegram.delivered": "İletildi.",
    "telegram.suggest_usage": "Kullanım: /suggest AKIŞ (ör. /suggest unlock)",
    "telegram.suggested": "Öneri kullanıcıya gösterildi; başlatıp başlatmamak ona kalmış.",
    "telegram.handoff": (
        "Yardım masasının size bağlanması için bilgisayarınızda NES Asistanı'nda "
        "'operatör' yazın ya da 'nes-asistan support' komutunu çalıştırın; ekranda "
        "görünen kodu yardım masasına söyleyin."
    ),
    "telegram.too_fast": "Çok hızlı yazıyorsunuz; lütfen biraz bekleyin.",
}

"""The engine's own Turkish source texts (repairs, retries, safety notices).

Flow texts come from flow files; these are the few the engine itself says, with stable
ids under `engine.` so catalogs and tests can refer to them.
"""

from __future__ import annotations

ENGINE_TEXTS: dict[str, str] = {
    "engine.help": (
        "Her soruda şunları yazabilirsiniz: 'geri' (önceki soru), 'iptal' (işlemi bırak), "
        "'baştan' (yeniden başla), 'operatör' (yardım masası), 'dil' (dil değiştir)."
    ),
    "engine.no_back": "Geri dönülecek bir soru yok; bu adımdan devam ediyoruz.",
    "engine.cancel_confirm": "Yarım kalan işlemi bırakmak istiyor musunuz?",
    "engine.cancelled": "İşlem iptal edildi.",
    "engine.restart": "Baştan başlıyoruz.",
    "engine.handoff": "Yardım masasına haber verildi; bir operatör size buradan yazacak.",
    "engine.language": "Dil seçiniz / Choose a language:",
    "engine.too_many_tries": "Çok sayıda geçersiz yanıt verildi; bu adımı bırakıyoruz.",
    "engine.invalid": "Bu yanıtı anlayamadım.",
    "engine.invalid_choice": "Lütfen seçeneklerden birini yazınız.",
    "engine.invalid_yes_no": "Lütfen 'evet' ya da 'hayır' yazınız.",
    "engine.confirm_mismatch": "Onay için istenen ifadeyi aynen yazmanız gerekiyor.",
    "engine.mismatch": "Girdiğiniz iki değer aynı değil; baştan soruyorum.",
    "engine.secret_again": "Güvenliğiniz için bu bilgiyi saklamıyorum; lütfen yeniden yazınız.",
    "engine.local_only": (
        "Bu adım yalnızca kartın takılı olduğu bilgisayarda yapılabilir. "
        "Lütfen bilgisayarınızdaki NES Asistanı'ndan devam ediniz."
    ),
    "engine.ended": "Bu görüşme sona erdi.",
    "engine.yes": "Evet",
    "engine.no": "Hayır",
}

"""The engine's own Turkish source texts (repairs, retries, safety notices).

Flow texts come from flow files; these are the few the engine itself says, with stable
ids under `engine.` so catalogs and tests can refer to them.
"""

from __future__ import annotations

ENGINE_TEXTS: dict[str, str] = {
    "engine.help": (
        "Her soruda şunları yazabilirsiniz: 'geri' (önceki soru), 'iptal' (konuyu bırakıp "
        "menüye dön), 'baştan' (yeniden başla), 'operatör' (yardım masası), 'dil' (dil "
        "değiştir), 'çıkış' (NES Asistanı'ndan çık)."
    ),
    "engine.no_back": "Geri dönülecek bir soru yok; bu adımdan devam ediyoruz.",
    "engine.cancel_confirm": "Yarım kalan işlemi bırakmak istiyor musunuz?",
    "engine.cancelled": "İşlem iptal edildi.",
    "engine.exit_confirm": "NES Asistanı'ndan çıkmak istiyor musunuz?",
    "engine.goodbye": "İyi günler dilerim. Yeniden yazdığınızda buradayım.",
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
    "engine.unreadable": (
        "Yanıtınızda okunamayan bir karakter var; yanıtınızı yeniden yazar mısınız?"
    ),
    "engine.too_long": "Bu yanıt çok uzun; kısaca yeniden yazar mısınız?",
    "engine.secret_here": (
        "Bu bir PIN, PUK, SMS Onay Kodu ya da Güvenlik Sözcüğü olabilir. Onu buraya yazmanız "
        "gerekmiyor; yazdığınızı saklamadım."
    ),
    "engine.tckn_here": (
        "Bu bir T.C. Kimlik No'ya benziyor. Burada gerekmiyor; yazdığınızı saklamadım."
    ),
    "engine.secret_digits": (
        "PIN, PUK ve SMS Onay Kodu yalnızca 0–9 rakamlarından oluşur (² gibi işaretler "
        "olmaz); yeniden yazar mısınız?"
    ),
    "engine.confirm_again": "Bu işlemden önce onayınızı yeniden istiyorum.",
    "engine.unconfirmed": "Bu işlem için gereken onay verilmedi; işlemi yapmadım.",
    "engine.yes": "Evet",
    "engine.no": "Hayır",
}

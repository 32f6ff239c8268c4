"""What helpdesk mode says: to the person at their computer and to the operator on Telegram.

Turkish source texts with stable ids, translated like flow and engine texts. Every output
the local chat shows on the helpdesk's behalf has an id starting with `helpdesk.`, so a
front end can mark it as coming from the helpdesk (and a test can find it). Operator
texts (`helpdesk.operator.*`) are worded in the operator's Telegram language.
"""

from __future__ import annotations

HELPDESK_TEXTS: dict[str, str] = {
    # -- the person at their computer --------------------------------------------------
    "helpdesk.code": (
        "Yardım masası kodunuz: {code}. Bu kodu yalnızca kurumunuzun yardım masasına "
        "söyleyin; 10 dakika geçerlidir ve bir kez kullanılabilir. PIN'inizi, SMS Onay "
        "Kodunu ya da Güvenlik Sözcüğünüzü kimse sizden istemez; yazmayın."
    ),
    "helpdesk.unavailable": (
        "Yardım masasına şu an bağlanılamıyor. Biraz sonra yeniden 'operatör' yazabilir ya "
        "da Kamu SM Çağrı Merkezi'ni (444 5 576) arayabilirsiniz."
    ),
    "helpdesk.not_configured": (
        "Bu bilgisayarda bir yardım masası tanımlı değil. Kurumunuzun bilgi işlem biriminden "
        "yardım masası adresini isteyebilir ya da Kamu SM Çağrı Merkezi'ni (444 5 576) "
        "arayabilirsiniz."
    ),
    "helpdesk.joined": (
        "Yardım masasından {operator} görüşmeye katıldı. Gördükleri: bu sohbet (gizli "
        "bilgiler ••••••) ve kurulum denetiminin özeti. Bitirmek için 'destek bitir' yazın."
    ),
    "helpdesk.message": "Yardım masası ({operator}): {text}",
    "helpdesk.suggest": (
        "Yardım masası '{title}' işlemini öneriyor. İsterseniz menüden bu işlemi "
        "seçebilirsiniz; siz seçmedikçe hiçbir şey başlamaz."
    ),
    "helpdesk.left": "{operator} görüşmeden ayrıldı. Gerekirse yeni bir kod alabilirsiniz.",
    "helpdesk.ended": "Yardım masası görüşmesi sona erdi.",
    "helpdesk.reconnecting": (
        "Yardım masasıyla bağlantı kısa bir süre için kesildi; yeniden bağlanılıyor. Bu "
        "arada yazdıklarınız bağlantı kurulunca iletilir. Buradaki işlemleriniz sürer."
    ),
    "helpdesk.reconnected": "Yardım masasıyla bağlantı yeniden kuruldu; görüşme sürüyor.",
    "helpdesk.lost": (
        "Yardım masasıyla bağlantı yeniden kurulamadı ve görüşme sona erdi. Bağlantı "
        "kesikken yazdıklarınız iletilmedi. İsterseniz yeniden 'operatör' yazabilirsiniz."
    ),
    # -- the operator on Telegram -------------------------------------------------------
    "helpdesk.operator.joined": (
        "Görüşmeye katıldınız (dil: {language}). Gizli bilgiler •••••• olarak görünür; "
        "PIN, SMS kodu ya da onay yerine siz bir şey yazamazsınız. /say METİN ile yazın, "
        "/suggest AKIŞ ile bir işlem önerin, /leave ile ayrılın."
    ),
    "helpdesk.operator.diagnostics": "Kurulum denetimi özeti:\n{text}",
    "helpdesk.operator.transcript": "{text}",
    "helpdesk.operator.user_ended": "Kullanıcı görüşmeyi bitirdi.",
    "helpdesk.operator.timeout": "Görüşme uzun süre hareketsiz kaldığı için kapatıldı.",
    "helpdesk.operator.disconnected": "Kullanıcının asistanıyla bağlantı kesildi.",
    "helpdesk.operator.resumed": (
        "Kullanıcının asistanı yeniden bağlandı; görüşme kaldığı yerden sürüyor."
    ),
}

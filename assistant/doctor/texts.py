"""The doctor's Turkish source texts and the one function that words a `Finding`.

Ids: `doctor.<check>.<result>` for what a check found, `doctor.fix.<fix>` for what to
do, `doctor.title.<check>` for the check's name, `doctor.status.<status>` and
`doctor.report.*` for the report's frame. The Babel extractor (assistant.i18n.extract)
picks up `DOCTOR_TEXTS` like the engine's; placeholders are the finding's fact names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.doctor.findings import Finding, Status
from assistant.i18n.catalog import Translate
from assistant.i18n.messages import fill

DOCTOR_TEXTS: dict[str, str] = {
    # check names
    "doctor.title.system": "Bilgisayar",
    "doctor.title.pcsc": "Akıllı kart hizmeti (PC/SC)",
    "doctor.title.readers": "Kart okuyucu",
    "doctor.title.card": "Kart",
    "doctor.title.module": "Kart sürücüsü (PKCS#11 modülü)",
    "doctor.title.token": "Kart sürücüsünün gördüğü kart",
    "doctor.title.certificate": "İmza sertifikası",
    "doctor.title.revocation": "İptal durumu",
    "doctor.title.pin": "PIN durumu",
    "doctor.title.clock": "Saat",
    "doctor.status.ok": "TAMAM",
    "doctor.status.warn": "UYARI",
    "doctor.status.fail": "SORUN",
    "doctor.status.skip": "ATLANDI",
    "doctor.skipped": "Denetlenmedi: önce «{after}» adımındaki sorun giderilmeli.",
    # findings
    "doctor.system.ok": (
        "{os} {os_release}, {machine} işlemci; NES Asistanı {process_bits} bit "
        "({process_architecture}) çalışıyor."
    ),
    "doctor.pcsc.running": "Akıllı kart hizmeti çalışıyor.",
    "doctor.pcsc.not_running": "Akıllı kart hizmetine ulaşılamıyor ({error}).",
    "doctor.pcsc.no_library": "Akıllı kart kütüphanesi (pcsc-lite) yüklenemedi.",
    "doctor.readers.found": "{count} kart okuyucu bulundu; kullanılacak okuyucu: {reader}.",
    "doctor.readers.known_model": (
        "{count} kart okuyucu bulundu; kullanılacak okuyucu: {reader} ({model})."
    ),
    "doctor.readers.none": "Bilgisayara takılı bir kart okuyucu görünmüyor.",
    "doctor.card.recognised": "{reader} okuyucusundaki kart tanındı: {description}.",
    "doctor.card.unknown": "{reader} okuyucusunda bir kart var ama NES kartı olarak tanınmadı.",
    "doctor.card.mute": "{reader} okuyucusundaki kart yanıt vermiyor.",
    "doctor.card.absent": "Okuyucuda kart yok.",
    "doctor.module.found": "Kart sürücüsü bulundu ve yüklendi: {path} ({bits} bit).",
    "doctor.module.missing": "Kart sürücüsü bulunamadı; aranan: {expected}.",
    "doctor.module.wrong_architecture": (
        "Kart sürücüsü {path} {module_architecture} ({module_bits} bit) için yapılmış; "
        "NES Asistanı ise {process_architecture} ({process_bits} bit) çalışıyor. "
        "Bu sürücü bu programla kullanılamaz."
    ),
    "doctor.module.load_failed": "Kart sürücüsü {path} yüklenemedi ({error}).",
    "doctor.token.visible": "Kart sürücüsü kartı görüyor: {label}.",
    "doctor.token.not_visible": "Kart sürücüsü bu okuyucudaki kartı görmüyor.",
    "doctor.token.unreadable": "Kart sürücüsü kartı okuyamadı.",
    "doctor.token.removed": "Kart, denetim sırasında çıkarıldı.",
    "doctor.token.error": "Kart sürücüsü hata verdi ({error}).",
    "doctor.certificate.valid": (
        "İmza sertifikası geçerli: {holder}, {not_after} tarihine kadar ({days_left} gün)."
    ),
    "doctor.certificate.renewal_due": (
        "İmza sertifikasının süresi {not_after} tarihinde doluyor ({days_left} gün kaldı); "
        "yenileme dönemi açık."
    ),
    "doctor.certificate.expired": "İmza sertifikasının süresi {not_after} tarihinde dolmuş.",
    "doctor.certificate.not_yet_valid": (
        "İmza sertifikası henüz geçerli değil: {not_before} tarihinde başlıyor."
    ),
    "doctor.certificate.none": "Kartta imza sertifikası bulunamadı.",
    "doctor.certificate.removed": "Kart, sertifikalar okunurken çıkarıldı.",
    "doctor.certificate.not_visible": "Sertifikalar okunurken kart kayboldu.",
    "doctor.certificate.unreadable": "Sertifikalar okunamadı.",
    "doctor.certificate.error": "Sertifikalar okunurken hata oluştu ({error}).",
    "doctor.revocation.good": "Sertifika iptal edilmemiş ve askıda değil.",
    "doctor.revocation.revoked": (
        "Sertifika {revoked_at} tarihinde iptal edilmiş; bu sertifikayla imza atılamaz."
    ),
    "doctor.revocation.suspended": "Sertifika askıya alınmış; askıdayken imza atılamaz.",
    "doctor.revocation.unknown": "Sertifika merkezi bu sertifikayı tanımıyor.",
    "doctor.revocation.unavailable": "İptal durumu şu anda denetlenemedi.",
    "doctor.revocation.invalid_response": (
        "Sertifika merkezinden gelen iptal durumu yanıtına güvenilemedi."
    ),
    "doctor.revocation.no_issuer": (
        "Sertifikayı veren merkezin sertifikası bulunamadığı için iptal durumu denetlenemedi."
    ),
    "doctor.pin.ok": "PIN kilitli değil; kalan deneme hakkı: {tries_left}.",
    "doctor.pin.ok_no_count": "PIN kilitli değil.",
    "doctor.pin.final_try": (
        "PIN için son deneme hakkınız kaldı; bir yanlış girişte PIN kilitlenir."
    ),
    "doctor.pin.locked": "PIN kilitli: üst üste yanlış girildiği için kart PIN'i kabul etmiyor.",
    "doctor.pin.must_change": "Kart, PIN'in değiştirilmesini istiyor.",
    "doctor.clock.ok": "Bilgisayarın saati doğru görünüyor ({now}).",
    "doctor.clock.skewed": (
        "Bilgisayarın saati sertifika merkezinin saatinden {skew_minutes} dakika farklı."
    ),
    "doctor.clock.before_release": (
        "Bilgisayarın saati geride görünüyor ({now}): bu sürüm o tarihte henüz yoktu."
    ),
    "doctor.clock.before_certificate": (
        "Bilgisayarın saati geride görünüyor ({now}): imza sertifikası {not_before} "
        "tarihinde verilmiş."
    ),
    # fixes
    "doctor.fix.install_pcsc": (
        'pcsc-lite\'ı kurun (Debian/Ubuntu: "sudo apt install pcscd libpcsclite1").'
    ),
    "doctor.fix.start_pcsc_linux": (
        'Akıllı kart hizmetini başlatın: "sudo systemctl enable --now pcscd.socket" '
        '(kurulu değilse: "sudo apt install pcscd libccid").'
    ),
    "doctor.fix.start_pcsc_windows": (
        "Hizmetler (services.msc) penceresinde Akıllı Kart (SCardSvr) hizmetini başlatın; "
        "başlangıç türünü Otomatik yapın."
    ),
    "doctor.fix.start_pcsc_darwin": (
        "Akıllı kart hizmeti macOS ile gelir: okuyucuyu çıkarıp takın, olmazsa "
        "bilgisayarı yeniden başlatın."
    ),
    "doctor.fix.plug_reader": (
        'Kart okuyucuyu (ACS ACR38T "USB-Beyaz" ya da ACR39) bir USB girişine takın; '
        'olmazsa başka bir giriş deneyin. Linux\'ta okuyucu için "libccid" paketi gerekir.'
    ),
    "doctor.fix.insert_card": (
        "NES kartınızın çipini okuyucuya takın ve tam oturduğundan emin olun."
    ),
    "doctor.fix.reinsert_card": (
        "Kartı çıkarıp yeniden takın; çipin yönünü ve tam oturduğunu denetleyin. Sorun "
        "sürerse okuyucuyu başka bir USB girişine takın."
    ),
    "doctor.fix.unknown_card": (
        "Doğru kartı taktığınızdan emin olun. Sorun sürerse Kamu SM çağrı merkezini "
        "(444 5 576) arayın."
    ),
    "doctor.fix.install_middleware": "{package} kart sürücüsünü kurun: {url}",
    "doctor.fix.module_setting": (
        "NES_ASISTAN_PKCS11_MODULE ayarı kullanılabilir bir sürücü dosyasını göstermiyor; "
        "ayarı düzeltin ya da kaldırın."
    ),
    "doctor.fix.match_architecture": (
        "{process_bits} bit ({process_architecture}) sürücüyü kurun. Windows'ta 64 bit "
        "programlar System32, 32 bit programlar SysWOW64 altındaki sürücüyü kullanır; "
        "Apple Silicon Mac'te sürücünün Apple Silicon sürümü gerekir."
    ),
    "doctor.fix.reinstall_middleware": (
        "Kart sürücüsünü kaldırıp yeniden kurun, ardından bilgisayarı yeniden başlatın."
    ),
    "doctor.fix.token_not_visible": (
        "Kartı çıkarıp yeniden takın. Sorun sürerse kartınıza uygun sürücünün (AKİS için "
        "Akia) kurulu olduğundan emin olun."
    ),
    "doctor.fix.token_unreadable": (
        "Kartı çıkarıp yeniden takın. Sorun sürerse Kamu SM çağrı merkezini (444 5 576) arayın."
    ),
    "doctor.fix.renew_certificate": (
        "Sertifikanızı Kamu SM'den yenileyin (kamusm.gov.tr, Online İşlemler). Yeni "
        "sertifika, eskisinin süresi dolunca yeni bir PIN ile kullanılmaya başlar."
    ),
    "doctor.fix.wait_or_clock": (
        "Sertifika başlangıç tarihinden itibaren kullanılabilir. Bu tarih size yanlış "
        "geliyorsa bilgisayarınızın tarih ve saatini denetleyin."
    ),
    "doctor.fix.contact_ca": "Kamu SM çağrı merkezini arayın: 444 5 576 (bilgi@kamusm.gov.tr).",
    "doctor.fix.revoked": (
        "İptal edilen sertifika yeniden kullanılamaz; yeni sertifika için Kamu SM'ye "
        "başvurun (444 5 576). Kartınızı kaybettiyseniz hemen arayın."
    ),
    "doctor.fix.unsuspend": (
        'Sertifikayı siz askıya aldıysanız Kamu SM çevrim içi işlemlerinde "Askıdan İndir" '
        "ile yeniden kullanıma açabilirsiniz."
    ),
    "doctor.fix.check_network": (
        "İnternet bağlantınızı denetleyip yeniden deneyin; kurum ağındaysanız vekil sunucu "
        "(proxy) ayarına bakın. Bu sonuç sertifikanızın geçersiz olduğu anlamına gelmez."
    ),
    "doctor.fix.try_later": (
        "Biraz sonra yeniden deneyin; sorun sürerse bu raporu yardım masasına iletin."
    ),
    "doctor.fix.add_ca_certificates": (
        "Kamu SM'nin kök ve ara sertifikalarını (kamusm.gov.tr, Kök Sertifikalar) şu "
        "klasöre koyun: {trust_dir}"
    ),
    "doctor.fix.unlock_pin": (
        "PUK'u kullanmayın. PIN'inizi Kamu SM çevrim içi işlemlerindeki \"Kilit Çözme\" "
        'ile açın; orada 6 haneli yeni PIN\'inizi yazıp "Yeni PIN Üret" düğmesine basarsınız.'
    ),
    "doctor.fix.unblock_with_puk": (
        "PIN'i PUK ile açabilirsiniz; PUK'un da deneme hakkı sınırlıdır, emin değilseniz "
        "kartı veren kuruma danışın."
    ),
    "doctor.fix.final_try": (
        'PIN\'inizden emin değilseniz denemeyin: kilitlenirse "Kilit Çözme" gerekir. '
        'PIN bilginizi Kamu SM çevrim içi işlemlerinde "PIN / PUK Bilgisi" bölümünde '
        "görebilirsiniz."
    ),
    "doctor.fix.change_pin": "PIN'inizi NES Asistanı'ndaki PIN değiştirme adımıyla değiştirin.",
    "doctor.fix.set_clock": (
        "Bilgisayarınızın tarih, saat ve saat dilimini düzeltin (otomatik saat ayarını "
        "açın), sonra denetimi yeniden çalıştırın."
    ),
    # support report frame
    "doctor.report.title": "NES Asistanı sorun giderme raporu",
    "doctor.report.created": "Oluşturulma: {created}, sürüm {version}",
    "doctor.report.summary_ok": "Sonuç: her şey yolunda.",
    "doctor.report.summary_warn": "Sonuç: dikkat edilmesi gereken noktalar var.",
    "doctor.report.summary_fail": "Sonuç: giderilmesi gereken sorunlar var.",
    "doctor.report.fix": "Ne yapmalı:",
    "doctor.report.details": "Ayrıntılar:",
    "doctor.report.certificate": (
        "İmza sertifikası (isteğiniz üzerine eklendi; T.C. Kimlik No'nuzu açıkça içerir):"
    ),
}


@dataclass(frozen=True)
class Worded:
    title: str
    status: str
    message: str
    fix: str | None


def say(
    message_id: str,
    language: str = "tr",
    translate: Translate | None = None,
    params: Mapping[str, object] | None = None,
) -> str:
    """One doctor text in `language` (the Turkish source without `translate`),
    placeholders filled from `params`."""
    source = DOCTOR_TEXTS[message_id]
    template = translate(message_id, source, language) if translate else source
    return fill(template, (params or {}).get)


def word(finding: Finding, language: str = "tr", translate: Translate | None = None) -> Worded:
    """A finding in words: its check's title, status label, message and fix."""
    params: dict[str, object] = dict(finding.facts)
    if finding.status is Status.SKIP:
        params["after"] = say(f"doctor.title.{finding.facts['after']}", language, translate)
    fix = None
    if finding.fix is not None:
        fix = say(f"doctor.fix.{finding.fix}", language, translate, params)
    return Worded(
        title=say(f"doctor.title.{finding.check}", language, translate),
        status=say(f"doctor.status.{finding.status.value}", language, translate),
        message=say(finding.text_id, language, translate, params),
        fix=fix,
    )

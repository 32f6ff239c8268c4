"""The Turkish source texts of signing and verification, and the functions that word a
verdict (`VerificationReport`) in any shipped language.

Ids: `sign.report.*` frame a report, `sign.line` is one signature's line, its parts are
`sign.who.*`, `sign.when.*`, `sign.qualified.*`, `sign.chain.*`, `sign.revocation.*`,
`sign.changes.*`; `sign.reason.<ETSI sub-indication>` says why a signature did not pass
(EN 319 102-1 names); `sign.input.*` say why a file could not be checked at all.
The Babel extractor (assistant.catalog_extract) picks up `SIGN_TEXTS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from assistant.i18n.catalog import Translate, source_text
from assistant.i18n.formatting import format_date
from assistant.i18n.messages import fill
from assistant.pki.status import RevocationStatus
from assistant.sign.verdict import (
    Coverage,
    Indication,
    InputProblem,
    RevocationEvidence,
    SignatureVerdict,
    VerificationReport,
)

SIGN_TEXTS: dict[str, str] = {
    "sign.indication.passed": "GEÇERLİ",
    "sign.indication.failed": "GEÇERSİZ",
    "sign.indication.indeterminate": "BELİRSİZ",
    "sign.report.header": "{file}: {indication} ({count} imza)",
    "sign.report.content": "İmzalanan dosya: {content}",
    "sign.report.no_trust": (
        "Güvenilir kök sertifika tanımlı değil, bu yüzden hiçbir imza geçerli sayılamaz. "
        "Kamu SM'nin kök ve ara sertifikalarını (kamusm.gov.tr, Kök Sertifikalar) "
        "NES_ASISTAN_TRUST_DIR ile gösterilen klasöre ya da {trust_dir} klasörüne koyun."
    ),
    "sign.line": "{number}. {indication}: {who}; {when}; {qualified}; {chain}; {revocation}",
    "sign.line.changes": "{line}; {changes}",
    "sign.line.reason": "{line}. Neden: {reason}",
    "sign.who.named": "{name} (T.C. Kimlik No {tckn})",
    "sign.who.name_only": "{name}",
    "sign.who.unknown": "imzalayan belirlenemedi",
    "sign.when.timestamp": "zaman damgası: {timestamp}",
    "sign.when.claimed": "imzalayanın bilgisayarına göre {claimed} (zaman damgası yok)",
    "sign.when.none": "imza zamanı belirtilmemiş",
    "sign.qualified.yes": "nitelikli elektronik sertifika",
    "sign.qualified.no": "nitelikli elektronik sertifika değil",
    "sign.chain.trusted": "sertifika zinciri güvenilir bir köke ulaşıyor",
    "sign.chain.untrusted_root": "sertifika zinciri güvenilir olmayan bir köke ulaşıyor",
    "sign.chain.incomplete": "sertifika zinciri tamamlanamadı",
    "sign.chain.no_trust_store": "güvenilir kök sertifika tanımlı değil",
    "sign.revocation.good": "sertifika iptal edilmemiş",
    "sign.revocation.revoked": "sertifika {revoked_at} tarihinde iptal edilmiş",
    "sign.revocation.revoked_undated": "sertifika iptal edilmiş",
    "sign.revocation.suspended": "sertifika askıya alınmış",
    "sign.revocation.unknown": "sertifika merkezi bu sertifikayı tanımıyor",
    "sign.revocation.unavailable": "iptal durumu şu an sorulamadı",
    "sign.revocation.invalid_response": "iptal durumu yanıtına güvenilemedi",
    "sign.revocation.embedded": "iptal durumu bilgisi belgenin içinde",
    "sign.revocation.none": "iptal durumu denetlenmedi",
    "sign.changes.none": "imzadan sonra belgede değişiklik yok",
    "sign.changes.lta_updates": "imzadan sonra yalnızca doğrulama bilgisi eklenmiş",
    "sign.changes.form_filling": "imzadan sonra form alanları doldurulmuş ya da imza eklenmiş",
    "sign.changes.annotations": "imzadan sonra belgeye not eklenmiş",
    "sign.changes.other": "imzadan sonra belgenin içeriği değiştirilmiş",
    "sign.changes.partial": "imza belgenin yalnızca bir bölümünü kapsıyor",
    "sign.reason.MODIFIED_AFTER_SIGNING": (
        "belge imzalandıktan sonra değiştirilmiş; elinizdeki belge imzalanan belge değil"
    ),
    "sign.reason.FORMAT_FAILURE": "imza bozuk ya da tanınmayan bir biçimde",
    "sign.reason.HASH_FAILURE": "imzalanan içerik değiştirilmiş (özet değeri tutmuyor)",
    "sign.reason.SIG_CRYPTO_FAILURE": "imza, imzalayanın sertifikasıyla doğrulanamıyor",
    "sign.reason.REVOKED": "imzalayanın sertifikası imzadan önce iptal edilmiş",
    "sign.reason.NOT_YET_VALID": "imza, sertifikanın geçerlilik başlangıcından önce atılmış",
    "sign.reason.SIG_CONSTRAINTS_FAILURE": "imza, doğrulama kurallarının istediklerini taşımıyor",
    "sign.reason.CHAIN_CONSTRAINTS_FAILURE": "sertifika zinciri kurallara uymuyor",
    "sign.reason.CERTIFICATE_CHAIN_GENERAL_FAILURE": (
        "sertifika zinciri ya da iptal durumu denetlenemedi"
    ),
    "sign.reason.CRYPTO_CONSTRAINTS_FAILURE": "imzada artık güvenli sayılmayan bir algoritma var",
    "sign.reason.EXPIRED": "imzalayanın sertifikasının süresi dolmuş ve imza zamanı kanıtlanamıyor",
    "sign.reason.NOT_YET_VALID_INDETERMINATE": "sertifika imza zamanında henüz geçerli değil",
    "sign.reason.POLICY_PROCESSING_ERROR": "imza politikası işlenemedi",
    "sign.reason.SIGNATURE_POLICY_NOT_AVAILABLE": "imzanın gösterdiği imza politikası bulunamadı",
    "sign.reason.TIMESTAMP_ORDER_FAILURE": "zaman damgalarının sırası tutarsız",
    "sign.reason.NO_SIGNING_CERTIFICATE_FOUND": "imzalayanın sertifikası imzada bulunamadı",
    "sign.reason.NO_CERTIFICATE_CHAIN_FOUND": (
        "imzalayanın sertifikasından güvenilir bir köke zincir kurulamadı"
    ),
    "sign.reason.REVOKED_NO_POE": (
        "sertifika iptal edilmiş ve imzanın iptalden önce atıldığı kanıtlanamıyor"
    ),
    "sign.reason.REVOKED_CA_NO_POE": (
        "zincirdeki bir sertifika merkezi sertifikası iptal edilmiş ve imzanın bundan önce "
        "atıldığı kanıtlanamıyor"
    ),
    "sign.reason.OUT_OF_BOUNDS_NO_POE": (
        "sertifika geçerlilik süresinin dışında ve imza zamanı kanıtlanamıyor"
    ),
    "sign.reason.REVOCATION_OUT_OF_BOUNDS_NO_POE": (
        "iptal bilgisi sertifikanın geçerlilik süresinin dışında ve imza zamanı kanıtlanamıyor"
    ),
    "sign.reason.OUT_OF_BOUNDS_NOT_REVOKED": (
        "sertifikanın süresi dolmuş; iptal edilmemiş ama imza zamanı kanıtlanamıyor"
    ),
    "sign.reason.CRYPTO_CONSTRAINTS_FAILURE_NO_POE": (
        "imzadaki algoritma artık güvenli değil ve imzanın daha önce atıldığı kanıtlanamıyor"
    ),
    "sign.reason.NO_POE": "imzanın ne zaman var olduğu kanıtlanamıyor",
    "sign.reason.TRY_LATER": "iptal durumu bilgisi henüz yok; daha sonra yeniden deneyin",
    "sign.reason.SIGNED_DATA_NOT_FOUND": "imzalanan içerik bulunamadı",
    "sign.reason.GENERIC": "imza doğrulanamadı",
    "sign.input.not_found": "{file} bulunamadı.",
    "sign.input.unreadable": "{file} okunamadı.",
    "sign.input.not_signed": "{file} imzalı bir PDF, .p7s ya da .imz dosyası değil.",
    "sign.input.content_missing": (
        "{file} ayrık bir imza; imzalanan dosyayı --content ile gösterin."
    ),
    "sign.input.content_unreadable": "İmzalanan dosya {file} okunamadı.",
    "sign.input.encrypted": "{file} şifreli; şifreli PDF'ler denetlenemiyor.",
}


class _Say(Protocol):
    """The local `t(message_id, **params)` helpers."""

    def __call__(self, message_id: str, /, **params: object) -> str: ...


# pyHanko's AdESIndeterminate.NOT_YET_VALID shares its name with the failure of the same
# name; the indeterminate one is looked up under this key.
_INDETERMINATE_ALIASES = {"NOT_YET_VALID": "NOT_YET_VALID_INDETERMINATE"}


def say(
    message_id: str,
    language: str = "tr",
    translate: Translate = source_text,
    params: Mapping[str, object] | None = None,
) -> str:
    return fill(translate(message_id, SIGN_TEXTS[message_id], language), (params or {}).get)


def moment(value: dt.datetime, language: str) -> str:
    """ "12 Mart 2027 14:05 UTC": the date the language's way, the time as the clock shows."""
    utc = value.astimezone(dt.UTC)
    return f"{format_date(utc.date(), language)} {utc:%H:%M} UTC"


def word_report(
    report: VerificationReport,
    language: str = "tr",
    translate: Translate = source_text,
    trust_dir: str = "",
) -> list[str]:
    """The report as lines: a header, one line per signature, and what to do about trust."""

    def t(message_id: str, /, **params: object) -> str:
        return say(message_id, language, translate, params)

    lines = [
        t(
            "sign.report.header",
            file=report.file_name,
            indication=t(f"sign.indication.{report.indication.value}"),
            count=len(report.signatures),
        )
    ]
    if report.content_name is not None:
        lines.append(t("sign.report.content", content=report.content_name))
    for number, verdict in enumerate(report.signatures, start=1):
        lines.append(word_signature(verdict, number, language, translate))
    if report.trust_anchors == 0:
        lines.append(t("sign.report.no_trust", trust_dir=trust_dir))
    return lines


def word_signature(
    verdict: SignatureVerdict,
    number: int,
    language: str = "tr",
    translate: Translate = source_text,
) -> str:
    def t(message_id: str, /, **params: object) -> str:
        return say(message_id, language, translate, params)

    line = t(
        "sign.line",
        number=number,
        indication=t(f"sign.indication.{verdict.indication.value}"),
        who=_who(verdict, t),
        when=_when(verdict, language, t),
        qualified=t("sign.qualified.yes" if verdict.qualified else "sign.qualified.no"),
        chain=t(f"sign.chain.{verdict.chain.value}"),
        revocation=_revocation(verdict, language, t),
    )
    if verdict.coverage is Coverage.PARTIAL:
        line = t("sign.line.changes", line=line, changes=t("sign.changes.partial"))
    elif verdict.changes is not None:
        line = t("sign.line.changes", line=line, changes=t(f"sign.changes.{verdict.changes.value}"))
    if verdict.reason is not None:
        line = t("sign.line.reason", line=line, reason=t(reason_id(verdict)))
    return line


def reason_id(verdict: SignatureVerdict) -> str:
    reason = verdict.reason or "GENERIC"
    if verdict.indication is Indication.INDETERMINATE:
        reason = _INDETERMINATE_ALIASES.get(reason, reason)
    message_id = f"sign.reason.{reason}"
    return message_id if message_id in SIGN_TEXTS else "sign.reason.GENERIC"


def word_input_problem(
    problem: InputProblem, name: str, language: str = "tr", translate: Translate = source_text
) -> str:
    return say(f"sign.input.{problem.value}", language, translate, {"file": name})


def _who(verdict: SignatureVerdict, t: _Say) -> str:
    if verdict.signer_name and verdict.signer_tckn_masked:
        return t("sign.who.named", name=verdict.signer_name, tckn=verdict.signer_tckn_masked)
    if verdict.signer_name:
        return t("sign.who.name_only", name=verdict.signer_name)
    return t("sign.who.unknown")


def _when(verdict: SignatureVerdict, language: str, t: _Say) -> str:
    if verdict.timestamp_time is not None:
        return t("sign.when.timestamp", timestamp=moment(verdict.timestamp_time, language))
    if verdict.claimed_time is not None:
        return t("sign.when.claimed", claimed=moment(verdict.claimed_time, language))
    return t("sign.when.none")


def _revocation(verdict: SignatureVerdict, language: str, t: _Say) -> str:
    status = verdict.revocation
    if status is RevocationStatus.REVOKED:
        if verdict.revoked_at is None:
            return t("sign.revocation.revoked_undated")
        return t("sign.revocation.revoked", revoked_at=moment(verdict.revoked_at, language))
    if status is not None:
        return t(f"sign.revocation.{status.value}")
    if verdict.revocation_evidence is RevocationEvidence.EMBEDDED:
        return t("sign.revocation.embedded")
    return t("sign.revocation.none")

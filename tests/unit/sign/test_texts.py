"""Every ETSI sub-indication pyHanko can give has words, and a verdict reads as one line
with the T.C. Kimlik No masked."""

from __future__ import annotations

import datetime as dt

from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

from assistant.pki.status import RevocationStatus
from assistant.pki.trust import ChainStatus
from assistant.sign.texts import SIGN_TEXTS, reason_id, word_report
from assistant.sign.verdict import (
    MODIFIED_AFTER_SIGNING,
    Changes,
    Coverage,
    DocumentKind,
    Indication,
    RevocationEvidence,
    SignatureVerdict,
    VerificationReport,
)


def verdict(indication: Indication, reason: str | None, **changes: object) -> SignatureVerdict:
    base = SignatureVerdict(
        indication=indication,
        reason=reason,
        label="NES-Imza-1",
        signer_name="Ayşe Yılmaz",
        signer_tckn_masked="123******50",
        issuer_name="TEST Kamu",
        claimed_time=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC),
        timestamp_time=None,
        qualified=True,
        chain=ChainStatus.TRUSTED,
        revocation=RevocationStatus.GOOD,
        revocation_evidence=RevocationEvidence.FETCHED,
        revoked_at=None,
        coverage=Coverage.ENTIRE_FILE,
        changes=Changes.NONE,
    )
    return SignatureVerdict(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_every_sub_indication_has_its_own_words() -> None:
    for member in AdESFailure:
        assert reason_id(verdict(Indication.FAILED, member.name)) == f"sign.reason.{member.name}"
    for member in AdESIndeterminate:
        found = reason_id(verdict(Indication.INDETERMINATE, member.name))
        assert found != "sign.reason.GENERIC" or member.name == "GENERIC", member
    assert reason_id(verdict(Indication.INDETERMINATE, "NOT_YET_VALID")) != reason_id(
        verdict(Indication.FAILED, "NOT_YET_VALID")
    )
    assert f"sign.reason.{MODIFIED_AFTER_SIGNING}" in SIGN_TEXTS


def test_one_line_per_signature_and_the_trust_hint_without_roots() -> None:
    report = VerificationReport(
        "sozlesme.pdf",
        DocumentKind.PDF,
        (
            verdict(Indication.PASSED, None),
            verdict(Indication.FAILED, MODIFIED_AFTER_SIGNING, changes=Changes.OTHER),
        ),
        trust_anchors=0,
    )
    lines = word_report(report, trust_dir="/home/ayse/.config/nes-asistan/trust")
    assert lines[0] == "sozlesme.pdf: GEÇERSİZ (2 imza)"
    assert lines[1].startswith("1. GEÇERLİ: Ayşe Yılmaz (T.C. Kimlik No 123******50)")
    assert (
        "1 Mart 2026 12:00 UTC" in lines[1] and "imzadan sonra belgede değişiklik yok" in lines[1]
    )
    assert lines[2].startswith("2. GEÇERSİZ") and "içeriği değiştirilmiş" in lines[2]
    assert "elinizdeki belge imzalanan belge değil" in lines[2]
    assert "/home/ayse/.config/nes-asistan/trust" in lines[3]
    assert report.exit_code == 1

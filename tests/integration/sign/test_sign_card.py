"""Signing on the virtual card, checked by tools we did not write (pdfsig, openssl cms).

The card is the demo's PIV model behind OpenSC; certificates come from the TEST PKI with
`openssl ocsp` answering, so PAdES signatures embed real OCSP answers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from cryptography.x509.oid import NameOID

from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.outcomes import OutcomeKind
from assistant.demo.tsa import TimeStampService
from assistant.sign.cades import sign_file
from assistant.sign.pades import sign_pdf
from assistant.sign.signing import Level, SignKind, SignOptions
from assistant.sign.tsa import TsaSettings
from assistant.sign.verdict import Changes, Coverage, Indication, RevocationEvidence
from assistant.sign.verify import verify_file
from tests.fixtures.confirmed import Confirmed
from tests.integration.sign.conftest import Rig
from tests.integration.sign.tools import (
    dark_pixels,
    flip_byte,
    nss_chain_good,
    openssl_cms_verify,
    pdfsig,
    pdfsig_says_valid,
)

pytestmark = pytest.mark.integration


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("key_type", ["p384", "rsa2048"])
def test_pades_is_valid_for_pdfsig_and_for_us(key_type: str, rig: Rig) -> None:
    card = rig.card(key_type=key_type)
    rig.ocsp()
    before = digest(rig.document)
    outcome = sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, client=rig.client)
    assert outcome.ok, outcome
    signed = outcome.signed
    assert signed is not None
    assert signed.path == rig.document.with_name("dilekce-imzali.pdf")
    assert digest(rig.document) == before, "the original is never touched"
    assert signed.validation_data and signed.level is Level.B_B  # no TSA configured
    report = signed.report
    (verdict,) = report.signatures
    assert verdict.indication is Indication.PASSED, verdict
    assert verdict.revocation_evidence is RevocationEvidence.EMBEDDED
    subject = card.card.certificate.subject
    assert verdict.signer_name == subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    tckn = str(subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value)
    assert verdict.signer_tckn_masked == f"{tckn[:3]}******{tckn[-2:]}"
    assert verdict.qualified

    assert pdfsig_says_valid(signed.path, rig.nss), pdfsig(signed.path, rig.nss)
    assert nss_chain_good(signed.path, rig.nss, rig.document.parent.parent / "dump")

    again = sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, client=rig.client)
    assert again.ok and again.signed is not None
    assert again.signed.path.name == "dilekce-imzali-2.pdf", "an existing name is never reused"
    assert digest(signed.path) != digest(again.signed.path)


def test_one_changed_byte_fails_in_pdfsig_and_in_ours(rig: Rig) -> None:
    card = rig.card()
    outcome = sign_pdf(
        rig.document, card.key, card.pin(), store=rig.trust, client=rig.client, fetch=False
    )
    assert outcome.ok and outcome.signed is not None
    signed = outcome.signed.path
    # A byte of the page content, well inside the first signed byte range.
    offset = signed.read_bytes().index(b"NES Asistani deneme belgesi")
    tampered = flip_byte(signed, signed.with_name("tampered.pdf"), offset)

    checked = pdfsig(tampered, rig.nss)
    assert "Signature is Invalid." in checked or "Digest Mismatch" in checked, checked
    (verdict,) = verify_file(tampered, store=rig.trust, fetch=False).signatures
    assert (verdict.indication, verdict.reason) == (Indication.FAILED, "HASH_FAILURE")


def test_cades_detached_and_attached_pass_openssl_and_fail_when_changed(rig: Rig) -> None:
    card = rig.card()
    rig.ocsp()
    content = rig.tmp / "docs" / "rapor.docx"
    content.write_bytes(b"PK\x03\x04 bir rapor " * 1000)

    detached = sign_file(content, card.key, card.pin(), store=rig.trust, client=rig.client)
    assert detached.ok and detached.signed is not None, detached
    p7s = detached.signed.path
    assert p7s.name == "rapor.docx.p7s"
    assert openssl_cms_verify(p7s, rig.pki.dir, content).returncode == 0
    (verdict,) = verify_file(
        p7s, store=rig.trust, client=rig.client
    ).signatures  # content found beside
    assert verdict.indication is Indication.PASSED, verdict

    attached = sign_file(
        content, card.key, card.pin(), attached=True, store=rig.trust, client=rig.client
    )
    assert attached.ok and attached.signed is not None, attached
    imz = attached.signed.path
    assert imz.name == "rapor.docx.imz"
    extracted = rig.tmp / "extracted"
    done = openssl_cms_verify(imz, rig.pki.dir, out=extracted)
    assert done.returncode == 0, done.stderr
    assert extracted.read_bytes() == content.read_bytes()
    assert verify_file(imz, store=rig.trust, client=rig.client).indication is Indication.PASSED

    changed = flip_byte(content, rig.tmp / "rapor-changed.docx", 10)
    assert openssl_cms_verify(p7s, rig.pki.dir, changed).returncode != 0
    report = verify_file(p7s, changed, store=rig.trust, client=rig.client)
    assert (report.indication, report.signatures[0].reason) == (Indication.FAILED, "HASH_FAILURE")
    offset = imz.read_bytes().index(b"bir rapor")
    bad_imz = flip_byte(imz, rig.tmp / "changed.imz", offset)
    assert openssl_cms_verify(bad_imz, rig.pki.dir).returncode != 0
    assert verify_file(bad_imz, store=rig.trust, client=rig.client).indication is Indication.FAILED


def test_timestamp_service_makes_b_t_and_b_lt(rig: Rig) -> None:
    card = rig.card()
    rig.ocsp()
    service = TimeStampService(rig.pki, rig.tmp / "tsa", user="ayse", password="zaman-1").start()
    try:
        tsa = TsaSettings(service.url, "ayse", "zaman-1")
        lt = sign_pdf(
            rig.document, card.key, card.pin(), store=rig.trust, client=rig.client, tsa=tsa
        )
        assert lt.ok and lt.signed is not None, lt
        assert lt.signed.level is Level.B_LT
        (verdict,) = lt.signed.report.signatures
        assert verdict.indication is Indication.PASSED, verdict
        assert verdict.timestamp_time is not None and verdict.level == "PAdES-B-LT"
        assert pdfsig_says_valid(lt.signed.path, rig.nss), pdfsig(lt.signed.path, rig.nss)

        archive = SignOptions(archive=True)
        lta = sign_pdf(
            rig.document,
            card.key,
            card.pin(),
            store=rig.trust,
            client=rig.client,
            tsa=tsa,
            options=archive,
        )
        assert lta.ok and lta.signed is not None and lta.signed.level is Level.B_LTA
        assert lta.signed.report.signatures[0].level == "PAdES-B-LTA"

        cades = sign_file(
            rig.document, card.key, card.pin(), store=rig.trust, client=rig.client, tsa=tsa
        )
        assert cades.ok and cades.signed is not None and cades.signed.level is Level.B_T
        assert cades.signed.report.signatures[0].timestamp_time is not None
        assert service.requests >= 3

        wrong = TsaSettings(service.url, "ayse", "wrong")
        refused = sign_pdf(
            rig.document, card.key, card.pin(), store=rig.trust, client=rig.client, tsa=wrong
        )
        assert refused.kind is SignKind.TIMESTAMP_FAILED
    finally:
        service.stop()
    names = sorted(p.name for p in rig.document.parent.iterdir())
    assert names == [
        "dilekce-imzali-2.pdf", "dilekce-imzali.pdf", "dilekce.pdf", "dilekce.pdf.p7s",
    ], "the refused signature left nothing behind"  # fmt: skip


def test_visible_box_is_drawn_on_the_last_page(rig: Rig) -> None:
    card = rig.card()
    options = SignOptions(visible=True)
    outcome = sign_pdf(
        rig.document, card.key, card.pin(), store=rig.trust, fetch=False, options=options
    )
    assert outcome.ok and outcome.signed is not None, outcome
    corner = (0.55, 0.8, 1.0, 1.0)
    assert dark_pixels(rig.document, 2, corner) == 0
    assert dark_pixels(outcome.signed.path, 2, corner) > 50
    assert dark_pixels(outcome.signed.path, 1, corner) == 0
    assert pdfsig_says_valid(outcome.signed.path, rig.nss), pdfsig(outcome.signed.path, rig.nss)


def test_wrong_pin_spends_one_try_and_writes_nothing(rig: Rig) -> None:
    card = rig.card()
    outcome = sign_pdf(rig.document, card.key, card.pin("999999"), store=rig.trust, fetch=False)
    assert outcome.kind is SignKind.CARD and outcome.card is not None
    assert outcome.card.kind is OutcomeKind.PIN_INCORRECT
    assert card.card.pin_tries_left == 2
    assert sorted(p.name for p in rig.document.parent.iterdir()) == ["dilekce.pdf"]


def test_last_try_needs_consent_for_signing(rig: Rig) -> None:
    card = rig.card()
    for _ in range(2):
        card.token.verify_pin(card.pin("999999"))
    assert card.card.pin_tries_left == 1
    refused = sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, fetch=False)
    assert refused.card is not None and refused.card.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    assert card.card.pin_tries_left == 1, "nothing was sent"
    serial = card.token.serial
    other = LastTryConsent.grant(
        Confirmed(serial), operation=PinOperation.TEST_SIGNATURE, token_serial=serial
    )
    wrong_consent = sign_pdf(
        rig.document, card.key, card.pin(), consent=other, store=rig.trust, fetch=False
    )
    assert wrong_consent.card is not None
    assert wrong_consent.card.kind is OutcomeKind.LAST_TRY_NEEDS_CONSENT
    consent = LastTryConsent.grant(
        Confirmed(serial), operation=PinOperation.SIGN_DOCUMENT, token_serial=serial
    )
    signed = sign_pdf(
        rig.document, card.key, card.pin(), consent=consent, store=rig.trust, fetch=False
    )
    assert signed.ok, signed
    assert card.card.pin_tries_left == 3


def test_card_pulled_mid_signature_leaves_the_original_and_no_file(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = rig.card()
    before = digest(rig.document)
    real = card.token.sign_digest

    def pull_then_sign(*args: Any, **kwargs: Any) -> Any:
        card.card.remove()  # after pyHanko built the document, before the card signs
        return real(*args, **kwargs)

    monkeypatch.setattr(card.token, "sign_digest", pull_then_sign)
    outcome = sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, fetch=False)
    assert outcome.card is not None and outcome.card.kind is OutcomeKind.CARD_REMOVED, outcome
    assert digest(rig.document) == before
    assert sorted(p.name for p in rig.document.parent.iterdir()) == ["dilekce.pdf"]


def test_expired_certificate_is_refused_before_the_card(rig: Rig) -> None:
    import datetime as dt

    card = rig.card()
    later = card.card.certificate.not_valid_after_utc + dt.timedelta(days=1)
    outcome = sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, fetch=False, now=later)
    assert outcome.kind is SignKind.CERTIFICATE_EXPIRED
    assert card.card.pin_tries_left == 3


def test_added_page_content_after_signing_is_reported(rig: Rig) -> None:
    """An incremental update that changes the page: pdfsig says the document is not
    totally signed; we say it was modified after signing."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    card = rig.card()
    outcome = sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, fetch=False)
    assert outcome.ok and outcome.signed is not None
    changed = rig.document.with_name("changed.pdf")
    with outcome.signed.path.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle)
        page_ref, _ = writer.find_page_for_modification(0)
        stream = generic.StreamObject(stream_data=b"BT /F1 30 Tf 72 400 Td (ODENDI) Tj ET")
        page = page_ref.get_object()
        page["/Contents"] = writer.add_object(stream)
        writer.update_container(page)
        with changed.open("wb") as out:
            writer.write(out)
    checked = pdfsig(changed, rig.nss)
    assert "Signature is Valid." in checked and "Not total document signed" in checked, checked
    (verdict,) = verify_file(changed, store=rig.trust, fetch=False).signatures
    assert verdict.indication is Indication.FAILED and verdict.reason == "MODIFIED_AFTER_SIGNING"
    assert verdict.coverage is Coverage.ENTIRE_REVISION and verdict.changes is Changes.OTHER


def test_pin_canary_reaches_no_file_and_no_output(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A distinctive PIN, used for a PAdES and a CAdES signature (and once wrongly), is
    in no file the signing wrote, no file under the user's dirs, no log line, no result."""
    canary = "739146"
    home = rig.tmp / "home"
    monkeypatch.setenv("NES_ASISTAN_HOME", str(home))
    card = rig.card(pin=canary)
    rig.ocsp()
    caplog.set_level("DEBUG")
    outcomes = [
        sign_pdf(rig.document, card.key, card.pin(), store=rig.trust, client=rig.client),
        sign_file(rig.document, card.key, card.pin(), attached=True, store=rig.trust),
        sign_pdf(rig.document, card.key, card.pin("739147"), store=rig.trust, fetch=False),
    ]
    assert outcomes[0].ok and outcomes[1].ok and outcomes[2].kind is SignKind.CARD
    needles = (canary.encode(), canary.encode("utf-16-le"))
    for path in [*rig.document.parent.rglob("*"), *home.rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert not any(n in data for n in needles), path
    for text in [*(repr(o) for o in outcomes), *(str(o) for o in outcomes), caplog.text]:
        assert canary not in text and "739147" not in text

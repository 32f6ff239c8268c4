"""`nes-asistan demo` itself (the same `python -m assistant demo` the entry point runs), in
tmux: its OCSP answers follow the training portal's "Sertifikamı İptal Et", "Askıya Al"
and "Askıdan İndir", as openssl's own OCSP client and the chat both see, and a document
signed in the demo carries a time-stamp from the demo's RFC 3161 service."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import AuthorityInformationAccessOID

from assistant.demo.documents import write_sample_pdf
from assistant.demo.piv_card import SLOT_SIGN, PivState
from assistant.demo.portal import DEMO_MOBILE, DEMO_WORD
from assistant.portal.api import CertificateChange, LoginOutcome, RevocationReason, SmsOutcome
from assistant.portal.client import PortalClient
from assistant.portal.reference.training import captcha_answer, latest_code
from assistant.secret import Secret, SecretKind
from tests.integration.terminal.tmux import TmuxChat

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

ROOT = Path(__file__).resolve().parents[3]
PIN = "123456"  # the demo card's


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Callable[..., TmuxChat]]:
    """Start `nes-asistan demo --state <tmp>/demo *options` in tmux, with a plain
    environment (none of the rig's PC/SC or assistant settings)."""
    chats: list[TmuxChat] = []

    def start(*options: str) -> TmuxChat:
        env = {
            "PATH": os.environ["PATH"], "HOME": os.environ["HOME"], "LANG": "C.UTF-8",
            "TERM": "xterm-256color", "PYTHONPATH": str(ROOT),
        }  # fmt: skip
        command = [
            "env", "-i", *(f"{k}={v}" for k, v in env.items()), sys.executable, "-m",
            "assistant", "demo", "--state", str(tmp_path / "demo"), *options,
        ]  # fmt: skip
        workdir = tmp_path / f"tmux-{len(chats)}"
        workdir.mkdir()
        chat = TmuxChat(workdir, {}, command)
        chats.append(chat)
        chat.wait_for("Demo kartı takıldı", timeout=120)
        return chat

    yield start
    for chat in chats:
        chat.close()


def _card_certificate(state: Path, folder: Path) -> tuple[x509.Certificate, Path]:
    der = PivState.load(state / "card.json").certificate_der(SLOT_SIGN)
    assert der is not None
    certificate = x509.load_der_x509_certificate(der)
    pem = folder / "card.pem"
    pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate, pem


def openssl_ocsp(state: Path, certificate: x509.Certificate, pem: Path) -> str:
    """openssl's OCSP client, asking where the certificate says, trusting the TEST chain."""
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    url = next(
        d.access_location.value
        for d in access.value
        if d.access_method == AuthorityInformationAccessOID.OCSP
    )
    pki = state / "pki"
    done = subprocess.run(
        ["openssl", "ocsp", "-issuer", str(pki / "ca.pem"), "-cert", str(pem), "-url", url,
         "-CAfile", str(pki / "chain.pem"), "-timeout", "20"],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert "Response verify OK" in done.stderr, done.stderr
    return done.stdout


def _portal_session(state: Path, chat: TmuxChat, tckn: str) -> PortalClient:
    """Logged in to the demo's portal through its API, the way the agent does."""
    url = chat.wait_for(r"portalı [^:]*: (http://127\.0\.0\.1:\d+)").group(1)
    folder = state / "portal"
    client = PortalClient(url)
    challenge = client.begin_login(tckn)
    key = (folder / "training.key").read_text(encoding="utf-8").strip()
    answer = captcha_answer(url, challenge.login_id, key)
    login = client.submit_login(answer, Secret(DEMO_WORD, SecretKind.SECURITY_WORD))
    assert login.outcome is LoginOutcome.SMS_SENT
    code = latest_code(folder / "outbox.jsonl", DEMO_MOBILE)
    assert code is not None
    assert client.submit_sms(Secret(code, SecretKind.SMS_CODE)).outcome is SmsOutcome.OK
    return client


def _chat_check(chat: TmuxChat, expected: str, *, first: bool = False) -> None:
    if not first:
        chat.answer("Başka bir konuda yardımcı olabilir miyim", "evet")
    chat.answer("Size nasıl yardımcı olabilirim", "Sertifikam geçerli mi?")
    chat.wait_for(expected, after=chat.position, timeout=60)


def test_portal_revocation_reaches_the_demo_ocsp_responder(
    demo: Callable[..., TmuxChat], tmp_path: Path
) -> None:
    chat = demo("--portal")
    state = tmp_path / "demo"
    certificate, pem = _card_certificate(state, tmp_path)
    assert f"{pem}: good" in openssl_ocsp(state, certificate, pem)
    _chat_check(chat, "Sertifikanız geçerli", first=True)

    tckn = certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)[0].value
    serial = format(certificate.serial_number, "X")
    with _portal_session(state, chat, str(tckn)) as portal:
        assert portal.suspend(serial) is CertificateChange.DONE
        held = openssl_ocsp(state, certificate, pem)
        assert f"{pem}: revoked" in held and "Reason: certificateHold" in held, held
        _chat_check(chat, "Sertifikanız askıya alınmış")

        assert portal.unsuspend(serial) is CertificateChange.DONE
        assert f"{pem}: good" in openssl_ocsp(state, certificate, pem)
        _chat_check(chat, "Sertifikanız geçerli")

        assert portal.revoke(serial, RevocationReason.KEY_COMPROMISE) is CertificateChange.DONE
        revoked = openssl_ocsp(state, certificate, pem)
        assert f"{pem}: revoked" in revoked and "Reason: keyCompromise" in revoked, revoked
        _chat_check(chat, "Sertifikanız .* tarihinde iptal edilmiş")
    chat.answer("Başka bir konuda yardımcı olabilir miyim", "hayır")
    assert chat.exit_code(timeout=30) == 0
    assert _processes_using(state / "pki") == [], "the responder was stopped by its PID"

    # The next run loads the same PKI: the revocation stands, in the portal as well.
    again = demo("--portal")
    assert f"{pem}: revoked" in openssl_ocsp(state, certificate, pem)
    with _portal_session(state, again, str(tckn)) as portal:
        (listed,) = portal.list_certificates()
        assert listed.status.value == "revoked"


def test_a_pdf_signed_in_the_demo_is_time_stamped(
    demo: Callable[..., TmuxChat], tmp_path: Path
) -> None:
    folder = tmp_path / "Belgeler"
    folder.mkdir()
    original = write_sample_pdf(folder / "dilekce.pdf", pages=1)
    chat = demo()
    chat.answer("Size nasıl yardımcı olabilirim", "Belge imzala")
    chat.answer("Hangi belgeyi imzalamak istiyorsunuz", f"'{original}'")
    chat.answer("İmza belgede nasıl görünsün", "1")
    chat.answer("İMZALIYORUM yazınız", "imzalıyorum")
    chat.answer("İmza için PIN'inizi yazınız", PIN)
    chat.wait_for("Belge imzalandı", after=chat.position, timeout=90)
    chat.answer("Başka bir konuda yardımcı olabilir miyim", "hayır")
    assert chat.exit_code(timeout=30) == 0

    signed = folder / "dilekce-imzali.pdf"
    token, signature = _signature_time_stamp(signed, tmp_path)
    demo_state = tmp_path / "demo"
    verified = subprocess.run(
        ["openssl", "ts", "-verify", "-token_in", "-in", str(token), "-data", str(signature),
         "-CAfile", str(demo_state / "pki" / "chain.pem"),
         "-untrusted", str(demo_state / "tsa" / "tsa.pem")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "Verification: OK" in verified.stdout, verified.stdout + verified.stderr


def _signature_time_stamp(pdf: Path, folder: Path) -> tuple[Path, Path]:
    """The RFC 3161 token on the PDF's signature (B-T) and the signature value it
    time-stamps, as files for `openssl ts -verify`; the archive time-stamp (B-LTA) too."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    with pdf.open("rb") as stream:
        reader = PdfFileReader(stream)
        (signature,) = reader.embedded_regular_signatures
        assert len(reader.embedded_timestamp_signatures) >= 1  # the document time-stamp
        attributes = signature.signer_info["unsigned_attrs"]
        tokens = [
            a["values"][0] for a in attributes if a["type"].native == "signature_time_stamp_token"
        ]
        assert len(tokens) == 1, "the signature carries one time-stamp"
        token = folder / "signature.tst"
        token.write_bytes(tokens[0].dump())
        value = folder / "signature.value"
        value.write_bytes(signature.signer_info["signature"].native)
    return token, value


def _processes_using(folder: Path) -> list[str]:
    """Command lines of running processes that name `folder` (openssl's responder does)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        line = b" ".join(words).decode(errors="replace")
        if str(folder) in line:
            found.append(line)
    return found

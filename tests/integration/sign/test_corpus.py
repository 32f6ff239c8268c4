"""`nes-asistan verify` on files signed by tools we did not write (pyHanko's own CLI with
a key on disk, `openssl cms -sign`), and agreement with pdfsig / `openssl cms -verify`.

The corpus: an ECDSA and an RSA signature (valid), an expired certificate, a revoked
one, a signer without a chain to any trusted root, and a PDF changed after signing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from assistant.demo.documents import write_sample_pdf
from assistant.demo.pki import Holder, TestPki, pem_cert, pem_key
from tests.integration.sign.conftest import Rig
from tests.integration.sign.tools import flip_byte, openssl_cms_verify, pdfsig

pytestmark = pytest.mark.integration
PYHANKO = Path(sys.executable).parent / "pyhanko"


def verify(rig: Rig, path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    """Our verdict, as a user gets it: the command in its own process, --json."""
    env = {
        **os.environ,
        "NES_ASISTAN_TRUST_DIR": str(rig.tmp / "trust"),
        "NES_ASISTAN_HOME": str(rig.tmp / "home"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "verify", "--json", str(path), *extra],
        capture_output=True, text=True, env=env, check=False, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, json.loads(done.stdout)


def key_files(rig: Rig, holder: Holder, label: str) -> tuple[Path, Path]:
    key, cert = rig.tmp / f"{label}.key", rig.tmp / f"{label}.pem"
    key.write_bytes(pem_key(holder.private_key))
    cert.write_bytes(pem_cert(holder.certificate))
    return key, cert


def pyhanko_sign(rig: Rig, holder: Holder, label: str) -> Path:
    """A PAdES signature made by pyHanko's own command line, key on disk."""
    key, cert = key_files(rig, holder, label)
    source = write_sample_pdf(rig.tmp / f"{label}.pdf")
    out = rig.tmp / f"{label}-signed.pdf"
    subprocess.run(
        [str(PYHANKO), "sign", "addsig", "--field", "Imza", "--style-name", "", "pemder",
         "--key", str(key), "--cert", str(cert), "--chain", str(rig.pki.dir / "ca.pem"),
         "--no-pass", str(source), str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


def openssl_sign(rig: Rig, key: Path, cert: Path, content: Path, *, attached: bool) -> Path:
    out = rig.tmp / f"{content.name}{'.imz' if attached else '.p7s'}"
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-in", str(content), "-signer", str(cert),
         "-inkey", str(key), "-certfile", str(rig.pki.dir / "ca.pem"), "-outform", "DER",
         "-md", "sha256", "-out", str(out), *(["-nodetach"] if attached else [])],
        check=True, capture_output=True,
    )  # fmt: skip
    return out


@pytest.mark.parametrize("key_type", ["p384", "rsa2048"])
def test_valid_pades_from_pyhanko_cli(key_type: str, rig: Rig) -> None:
    holder = rig.pki.issue_holder(key_type, name="Şule Işıl Çelik")
    rig.ocsp()
    signed = pyhanko_sign(rig, holder, f"valid-{key_type}")
    assert "Signature is Valid." in pdfsig(signed, rig.nss)
    code, report = verify(rig, signed)
    assert (code, report["indication"]) == (0, "passed"), report
    (verdict,) = report["signatures"]
    assert verdict["signer_name"] == "Şule Işıl Çelik"
    assert verdict["signer_tckn_masked"].count("*") == 6 and holder.tckn not in json.dumps(report)
    assert verdict["revocation"] == "good" and verdict["qualified"] is True


def test_expired_certificate(rig: Rig) -> None:
    now = dt.datetime.now(dt.UTC)
    holder = rig.pki.issue_holder(
        not_before=now - dt.timedelta(days=800), not_after=now - dt.timedelta(days=10)
    )
    rig.ocsp()
    signed = pyhanko_sign(rig, holder, "expired")
    checked = pdfsig(signed, rig.nss)
    assert "Signature is Valid." in checked and "Certificate has Expired" in checked, checked
    code, report = verify(rig, signed)
    (verdict,) = report["signatures"]
    assert code == 2 and verdict["indication"] == "indeterminate", report
    assert verdict["reason"] in {"OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED"}


def test_revoked_certificate(rig: Rig) -> None:
    """pdfsig 22.12 cannot be asked about revocation (see tools.pdfsig), so `openssl
    ocsp` is the independent voice on the certificate here."""
    holder = rig.pki.issue_holder()
    signed = pyhanko_sign(rig, holder, "revoked")
    rig.pki.revoke(holder, "keyCompromise")
    rig.ocsp()  # openssl ocsp reads the revocation when it starts
    asked = subprocess.run(
        ["openssl", "ocsp", "-issuer", str(rig.pki.dir / "ca.pem"), "-cert", str(holder.pem),
         "-url", rig.pki.ocsp_url, "-CAfile", str(rig.pki.dir / "root.pem"),
         "-VAfile", str(rig.pki.dir / "ocsp.pem")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ": revoked" in asked.stdout, asked.stdout + asked.stderr
    code, report = verify(rig, signed)
    (verdict,) = report["signatures"]
    assert code == 2 and verdict["reason"] == "REVOKED_NO_POE", report
    assert verdict["revocation"] == "revoked" and verdict["revoked_at"] is not None
    assert "Signature is Valid." in pdfsig(signed, rig.nss)


def test_signer_without_a_chain(rig: Rig) -> None:
    """A certificate from a CA nobody here knows, sent without its issuer: openssl cannot
    build a chain, neither can we."""
    stranger = TestPki(rig.tmp / "other-ca").issue_holder(name="Yabancı Kişi")
    key, cert = key_files(rig, stranger, "stranger")
    content = rig.tmp / "not.txt"
    content.write_text("kimden geldiği belli değil\n", encoding="utf-8")
    out = rig.tmp / "not.txt.p7s"
    subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-in", str(content), "-signer", str(cert),
         "-inkey", str(key), "-outform", "DER", "-out", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    assert openssl_cms_verify(out, rig.pki.dir, content).returncode != 0
    code, report = verify(rig, out)
    (verdict,) = report["signatures"]
    assert code == 2 and verdict["reason"] == "NO_CERTIFICATE_CHAIN_FOUND", report
    assert verdict["chain"] == "incomplete"


def test_pdf_changed_after_signing(rig: Rig) -> None:
    holder = rig.pki.issue_holder()
    rig.ocsp()
    signed = pyhanko_sign(rig, holder, "changed")
    offset = signed.read_bytes().index(b"NES Asistani deneme belgesi")
    changed = flip_byte(signed, signed.with_name("changed-after.pdf"), offset)
    checked = pdfsig(changed, rig.nss)
    assert "Signature is Invalid." in checked or "Digest Mismatch" in checked, checked
    code, report = verify(rig, changed)
    assert (code, report["signatures"][0]["reason"]) == (1, "HASH_FAILURE"), report


@pytest.mark.parametrize("attached", [False, True], ids=["p7s", "imz"])
def test_cades_from_openssl(rig: Rig, attached: bool) -> None:
    holder = rig.pki.issue_holder(name="Ömer Faruk Güçlü")
    rig.ocsp()
    key, cert = key_files(rig, holder, "openssl")
    content = rig.tmp / "sozlesme.pdf"
    write_sample_pdf(content)
    signed = openssl_sign(rig, key, cert, content, attached=attached)
    assert openssl_cms_verify(signed, rig.pki.dir, None if attached else content).returncode == 0
    code, report = verify(rig, signed)  # the .p7s finds sozlesme.pdf beside it
    assert (code, report["indication"]) == (0, "passed"), report
    assert report["kind"] == ("cms_attached" if attached else "cms_detached")
    assert report["signatures"][0]["signer_name"] == "Ömer Faruk Güçlü"


def test_our_signature_added_to_a_signed_pdf_gives_one_line_each(rig: Rig) -> None:
    from assistant.sign.pades import sign_pdf

    holder = rig.pki.issue_holder(name="İlk İmzacı")
    card = rig.card()
    rig.ocsp()
    first = pyhanko_sign(rig, holder, "two")
    outcome = sign_pdf(first, card.key, card.pin(), store=rig.trust, client=rig.client)
    assert outcome.ok and outcome.signed is not None, outcome
    assert "Signature is Valid." in pdfsig(outcome.signed.path, rig.nss)
    code, report = verify(rig, outcome.signed.path)
    assert code == 0, report
    first_line, second_line = report["signatures"]
    assert first_line["signer_name"] == "İlk İmzacı"
    assert first_line["changes"] == "form_filling"  # a signature was added after it
    assert second_line["label"] == "NES-Imza-1"
    assert [line.split(":")[0] for line in report["text"][1:3]] == ["1. GEÇERLİ", "2. GEÇERLİ"]

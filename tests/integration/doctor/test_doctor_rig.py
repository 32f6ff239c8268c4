"""`python -m assistant.doctor` on the rig: pcscd + vpcd + the virtual card + OpenSC + a real
`openssl ocsp` responder for the test PKI.

Every run is a subprocess with its own environment: libpcsclite reads
PCSCLITE_CSOCK_NAME once per process, so "pcscd unreachable" or "another pcscd" can only
be shown in a fresh process. The card's own counters prove the doctor spent no PIN try.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from assistant.demo.ocsp import OcspResponder, start_openssl_ocsp
from assistant.demo.pcscd import PcscService
from assistant.demo.piv_card import PivState
from assistant.demo.pki import TestPki
from assistant.pki.tckn import mask_tckn

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]


def doctor(env: dict[str, str], *args: str) -> tuple[int, dict[str, Any], str]:
    """Run the doctor with --json; (exit code, parsed JSON, stderr)."""
    done = subprocess.run(
        [sys.executable, "-m", "assistant.doctor", "--json", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def by_check(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["check"]: f for f in document["findings"]}


@pytest.fixture
def base_env(tmp_path: Path, opensc_module: Path, test_pki: TestPki) -> dict[str, str]:
    """The rig's pcscd (inherited PCSCLITE_CSOCK_NAME, OPENSC_CONF), OpenSC as the module
    for every profile, the test PKI as trust store, and a private home for the cache."""
    env = dict(os.environ)
    env.update(
        NES_ASISTAN_HOME=str(tmp_path / "home"),
        NES_ASISTAN_PKCS11_MODULE=str(opensc_module),
        NES_ASISTAN_TRUST_DIR=str(test_pki.dir),
        LANG="C.UTF-8",
    )
    env.pop("LANGUAGE", None)
    return env


@pytest.fixture
def responder(test_pki: TestPki) -> Iterator[Callable[[], OcspResponder]]:
    """Start `openssl ocsp` for the test PKI (after the card's certificates were issued:
    it reads index.txt only at start); stopped by its PID."""
    started: list[OcspResponder] = []

    def start() -> OcspResponder:
        signer = (test_pki.dir / "ocsp.pem", test_pki.dir / "ocsp.key")
        ca = test_pki.dir / "ca.pem"
        started.append(
            start_openssl_ocsp(
                test_pki.dir, ca, signer, test_pki.ocsp_port, "doctor", "-nmin", "60"
            )
        )
        return started[-1]

    yield start
    for running in started:
        running.stop()


def test_pcscd_unreachable(tmp_path: Path, base_env: dict[str, str]) -> None:
    env = {**base_env, "PCSCLITE_CSOCK_NAME": str(tmp_path / "nowhere" / "pcscd.comm")}
    code, document, _ = doctor(env)
    findings = by_check(document)
    assert code == 2 == document["exit_code"]
    pcsc = findings["pcsc"]
    assert (pcsc["result"], pcsc["status"], pcsc["fix"]) == (
        "not_running",
        "fail",
        "start_pcsc_linux",
    )
    assert pcsc["facts"]["error"] == "SCARD_E_NO_SERVICE"
    assert "pcscd" in pcsc["fix_text"]
    for name in ("readers", "card", "token", "certificate", "revocation", "pin"):
        assert findings[name]["status"] == "skip"
        assert findings[name]["facts"] == {"after": "pcsc"}
    # Independent of PC/SC: still checked.
    assert findings["module"]["result"] == "found"
    assert findings["clock"]["status"] == "ok"


def test_no_reader(tmp_path: Path, base_env: dict[str, str]) -> None:
    service = PcscService(tmp_path / "pcscd-empty", entries=0)
    try:
        service.start()
    except (OSError, RuntimeError, TimeoutError) as exc:
        pytest.skip(f"a second, reader-less pcscd cannot run here: {exc}")
    try:
        code, document, _ = doctor({**base_env, **service.env()})
    finally:
        service.stop()
    readers = by_check(document)["readers"]
    if readers["result"] != "none":
        pytest.skip("this machine has a real reader that pcscd found by hotplug")
    assert code == 2
    assert (readers["status"], readers["fix"]) == ("fail", "plug_reader")
    assert "ACR38T" in readers["fix_text"]
    assert by_check(document)["card"]["facts"] == {"after": "readers"}


def test_no_card(pcsc_service: PcscService, base_env: dict[str, str]) -> None:
    code, document, _ = doctor(base_env)
    findings = by_check(document)
    assert code == 2
    assert findings["pcsc"]["status"] == "ok"
    assert findings["readers"]["facts"]["count"] == len(pcsc_service.slots)
    card = findings["card"]
    assert (card["result"], card["status"], card["fix"]) == ("absent", "fail", "insert_card")
    assert findings["token"]["facts"] == {"after": "card"}


def _tckn(certificate: x509.Certificate) -> str:
    return str(certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value)


def test_akis_card_all_well_and_no_pin_try_spent(
    virtual_card: Callable[..., Any],
    base_env: dict[str, str],
    responder: Callable[[], OcspResponder],
    tmp_path: Path,
) -> None:
    card = virtual_card(atr="akis", pin_tries=3)
    responder()
    before = (card.pin_tries_left, card.puk_tries_left)
    report = tmp_path / "destek.txt"
    code, document, stderr = doctor(base_env, "--report", str(report))
    assert (card.pin_tries_left, card.puk_tries_left) == before == (3, 3)
    findings = by_check(document)
    assert {n: f["status"] for n, f in findings.items()} == dict.fromkeys(findings, "ok"), stderr
    assert code == 0 == document["exit_code"]
    assert findings["card"]["facts"]["profile"] == "akis"
    assert findings["card"]["facts"]["reader"] == card.reader
    assert findings["token"]["result"] == "visible"
    certificate = findings["certificate"]
    signing = card.certificate
    assert certificate["result"] == "valid"
    assert certificate["facts"]["not_after"] == signing.not_valid_after_utc.date().isoformat()
    assert certificate["facts"]["tckn"] == mask_tckn(_tckn(signing))
    assert certificate["facts"]["days_left"] >= 3 * 365 - 2
    assert certificate["facts"]["holder"] in certificate["message"]
    revocation = findings["revocation"]
    assert (revocation["result"], revocation["facts"]["source"]) == ("good", "ocsp")
    assert findings["pin"]["result"] == "ok_no_count"  # AKİS: no retry probe, flags only
    # The support report: both files, masked, no certificate body.
    text_path, json_path = report, report.with_name("destek.txt.json")
    assert str(text_path) in stderr and str(json_path) in stderr
    for output in (text_path.read_text("utf-8"), json_path.read_text("utf-8")):
        assert _tckn(signing) not in output
        assert mask_tckn(_tckn(signing)) in output
        assert card.pin not in output and "BEGIN CERTIFICATE" not in output


def test_exact_retry_count_is_read_without_spending_a_try(
    virtual_card: Callable[..., Any], base_env: dict[str, str]
) -> None:
    card = virtual_card(atr="piv", insert=False)
    state = PivState.load(card.state_path)
    state.pin_tries_left = 2
    state.save(card.state_path)
    card.insert()
    code, document, _ = doctor(base_env)
    pin = by_check(document)["pin"]
    assert (pin["result"], pin["facts"]["tries_left"], pin["facts"]["source"]) == (
        "ok",
        2,
        "verify",
    )
    assert card.pin_tries_left == 2
    # No responder running and no CRL server: offline is a warning, not a crash.
    revocation = by_check(document)["revocation"]
    assert (revocation["result"], revocation["status"]) == ("unavailable", "warn")
    assert revocation["facts"]["problem"] == "offline"
    assert revocation["fix"] == "check_network"
    assert code == 1


def test_locked_pin_is_a_failure_with_kilit_cozme(
    virtual_card: Callable[..., Any], base_env: dict[str, str], tmp_path: Path
) -> None:
    card = virtual_card(atr="akis", insert=False)
    state = PivState.load(card.state_path)
    state.pin_tries_left = 0
    state.save(card.state_path)
    card.insert()
    code, document, _ = doctor(base_env, "--lang", "tr", "--include-certificate")
    pin = by_check(document)["pin"]
    assert (pin["result"], pin["status"], pin["fix"]) == ("locked", "fail", "unlock_pin")
    assert "Kilit Çözme" in pin["fix_text"]
    assert code == 2
    assert (card.pin_tries_left, card.puk_tries_left) == (0, 3)
    pem = document["certificate_pem"].encode("ascii")
    assert x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER) == (
        card.certificate.public_bytes(Encoding.DER)
    )


def test_revoked_certificate(
    virtual_card: Callable[..., Any],
    base_env: dict[str, str],
    responder: Callable[[], OcspResponder],
    test_pki: TestPki,
) -> None:
    card = virtual_card(atr="akis")
    test_pki.revoke(card.certificate)
    responder()
    code, document, _ = doctor(base_env)
    revocation = by_check(document)["revocation"]
    assert (revocation["result"], revocation["status"], revocation["fix"]) == (
        "revoked",
        "fail",
        "revoked",
    )
    assert "444 5 576" in revocation["fix_text"]
    assert code == 2


# -- with a running agent ----------------------------------------------------------------
# The agent's card service answers and the report is the one the doctor gives alone. To
# show the answer really came from the agent (not from a silent fallback to the checks in
# the doctor's own process), the doctor process gets a module path that does not exist:
# alone it reports the middleware missing; asking the agent, whose module is loaded, it
# reports what the cold run on a correct setup reported.

TIMING_FACTS = {"now"}  # the clock check's own reading of the time


@pytest.fixture
def running_agent(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], None]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(env: dict[str, str]) -> None:
        log = tmp_path / "agent.out"
        with log.open("wb") as out:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "assistant", "agent"],
                    env=env,
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        deadline = time.monotonic() + 30
        while b"agent ready" not in log.read_bytes():
            if started[-1].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"agent did not start: {log.read_text(errors='replace')}")
            time.sleep(0.05)

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The findings without what only says when the report was made."""
    findings = {}
    for check, finding in by_check(document).items():
        facts = {k: v for k, v in finding["facts"].items() if k not in TIMING_FACTS}
        findings[check] = {**finding, "facts": facts}
    findings["clock"].pop("message")  # says the time it read
    return {"exit_code": document["exit_code"], "findings": findings}


def test_the_warm_agent_gives_the_cold_report(
    virtual_card: Callable[..., Any],
    base_env: dict[str, str],
    responder: Callable[[], OcspResponder],
    running_agent: Callable[[dict[str, str]], None],
    tmp_path: Path,
) -> None:
    card = virtual_card(atr="akis", pin_tries=3)
    responder()
    cache = Path(base_env["NES_ASISTAN_HOME"]) / "cache"
    code, cold, stderr = doctor(base_env)
    assert code == 0, stderr
    running_agent(base_env)
    shutil.rmtree(cache, ignore_errors=True)  # ask the responder again, as the cold run did
    no_module_here = {**base_env, "NES_ASISTAN_PKCS11_MODULE": str(tmp_path / "missing.so")}
    code, warm, stderr = doctor(no_module_here)
    assert code == 0, stderr
    assert comparable(warm) == comparable(cold)
    assert by_check(warm)["module"]["facts"]["path"] != str(tmp_path / "missing.so")
    assert (card.pin_tries_left, card.puk_tries_left) == (3, 3)


def test_without_an_agent_the_doctor_runs_the_checks_itself(
    virtual_card: Callable[..., Any], base_env: dict[str, str], tmp_path: Path
) -> None:
    virtual_card(atr="akis")
    missing = str(tmp_path / "missing.so")
    code, document, _ = doctor({**base_env, "NES_ASISTAN_PKCS11_MODULE": missing})
    assert code == 2
    assert by_check(document)["module"]["result"] == "missing"

"""`nes-asistan doctor` wall time on the rig, as a person runs it (a fresh process).

Four situations: no PC/SC service (the quickest answer), the rig's pcscd with an empty
reader, and an AKİS-ATR virtual card with OpenSC, the test PKI as trust store and a
running `openssl ocsp` responder (every check runs, OCSP included; the revocation cache
is cleared before each run so each one asks the responder) — once alone and once with
`nes-asistan agent` running and holding the card, which the doctor then asks (its warm
module and token, goal ≤ 0.5 s). Parts that cannot run here are reported as skipped
with the reason.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.agent_process import AgentProcess

RUNS = 5
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
OPENSC_CONF = "app opensc-pkcs11 { pkcs11 { max_virtual_slots = 64; } }\n"
ROOT = Path(__file__).resolve().parents[1]


def _wall(env: dict[str, str], home: Path) -> tuple[float, float, int]:
    """(median s, max s, exit code) of `python -m assistant.doctor --json`."""
    times, code = [], 0
    for _ in range(RUNS):
        shutil.rmtree(home / "cache", ignore_errors=True)  # not the agent's socket
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "assistant.doctor", "--json"],
            capture_output=True, env={**env, "NES_ASISTAN_HOME": str(home)}, cwd=ROOT,
            check=False, timeout=120,
        )  # fmt: skip
        times.append(time.perf_counter() - start)
        code = done.returncode
    return statistics.median(times), max(times), code


def _record(
    results: dict[str, float | str], label: str, measured: tuple[float, float, int]
) -> None:
    median, worst, code = measured
    results[f"{label}_median_ms"] = round(median * 1000, 1)
    results[f"{label}_max_ms"] = round(worst * 1000, 1)
    print(f"doctor {label:12} median {median * 1000:7.1f} ms   max {worst * 1000:7.1f} ms"
          f"   exit {code}   ({RUNS} runs)")  # fmt: skip


def _wait_for_card(reader: str, env: dict[str, str]) -> None:
    """In a child process: this one may already be bound to another pcscd (bench_card's)."""
    code = f"from assistant.demo.virtual_card import wait_for_card; wait_for_card({reader!r}, True)"
    subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True, timeout=30)


def _rig(results: dict[str, float | str], work: Path, env: dict[str, str]) -> None:
    from assistant.demo.ocsp import start_openssl_ocsp
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import TestPki
    from assistant.demo.virtual_card import VirtualCard, create_state

    service = PcscService(work / "pcsc")
    responder = None
    card = None
    try:
        service.start()
        conf = work / "opensc.conf"
        conf.write_text(OPENSC_CONF)
        env = {**env, **service.env(), "OPENSC_CONF": str(conf)}
        _record(results, "no_card", _wall(env, work / "home"))
        pki = TestPki(work / "pki")
        slot = service.acquire_slot()
        create_state(pki, work / "card.json")
        card = VirtualCard(work / "card.json", "akis", slot.port, slot.name)
        card.insert(wait=False)
        _wait_for_card(slot.name, env)
        signer = (pki.dir / "ocsp.pem", pki.dir / "ocsp.key")
        responder = start_openssl_ocsp(pki.dir, pki.dir / "ca.pem", signer, pki.ocsp_port, "bench")
        env |= {"NES_ASISTAN_PKCS11_MODULE": str(OPENSC), "NES_ASISTAN_TRUST_DIR": str(pki.dir)}
        _record(results, "card_ocsp", _wall(env, work / "home"))
        agent = AgentProcess({**env, "NES_ASISTAN_HOME": str(work / "home")}, work / "agent.log")
        agent.start()
        try:
            _record(results, "card_with_agent", _wall(env, work / "home"))
        finally:
            agent.stop()
    except (OSError, RuntimeError, TimeoutError) as exc:
        results["rig_skipped"] = f"virtual card rig not usable here: {exc}"
        print(f"rig: skipped ({results['rig_skipped']})")
    finally:
        if responder is not None:
            responder.stop()
        if card is not None:
            card.remove(wait=False)
        service.stop()


def main() -> dict[str, float | str]:
    results: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-doctor-") as tmp:
        work = Path(tmp)
        env = dict(os.environ, LANG="C.UTF-8", PYTHONPATH=str(ROOT))
        nowhere = {**env, "PCSCLITE_CSOCK_NAME": str(work / "nowhere.comm")}
        _record(results, "no_pcscd", _wall(nowhere, work / "home"))
        if shutil.which("pcscd") is None or not OPENSC.exists():
            results["rig_skipped"] = "pcscd or OpenSC not installed"
            print(f"rig: skipped ({results['rig_skipped']})")
        else:
            _rig(results, work, env)
    return results

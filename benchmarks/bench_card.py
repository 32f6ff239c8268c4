"""Card layer latency: insert-to-event (goal ≤ 100 ms) and warm token status.

Insert-to-event: a private pcscd + vpcd + the rig's virtual PIV card; the card connects
(`insert`) while `CardMonitor` waits in SCardGetStatusChange, and the latency is the
event's `observed_at` minus the moment of the connect. Status: `TokenSession.status()`
on an open session (module loaded, token found; includes the VERIFY-without-data
retry probe) against a cold `pkcs11-tool -L` on the same token — what a user would
otherwise run. The same status comparison runs on a SoftHSM2 token, which needs no rig.
Parts that cannot run here are reported as skipped with the reason, never faked.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from benchmarks.timing import median_p95_ms, timed

INSERTS = 20
STATUS_RUNS = 20
TOOL_RUNS = 10
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
OPENSC_CONF = (
    "app default { }\n"
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)


class _Card(Protocol):
    """What the benchmark needs of the rig's VirtualCard."""

    reader: str | None

    def insert(self, wait: bool = True) -> None: ...

    def remove(self, wait: bool = True) -> None: ...


def _tool_list(module: Path) -> None:
    subprocess.run(["pkcs11-tool", "--module", str(module), "-L"], check=True, capture_output=True)


def _status_vs_tool(
    prefix: str, results: dict[str, float | str], module: Path, status: Callable[[], object]
) -> None:
    status()  # warm: the first call may still be reading the card
    results[f"{prefix}_status_median_ms"], results[f"{prefix}_status_p95_ms"] = median_p95_ms(
        timed(status, STATUS_RUNS)
    )
    results[f"{prefix}_pkcs11_tool_L_median_ms"], _ = median_p95_ms(
        timed(lambda: _tool_list(module), TOOL_RUNS)
    )
    print(
        f"{prefix} status (warm)   median {results[f'{prefix}_status_median_ms']:7.1f} ms"
        f"   p95 {results[f'{prefix}_status_p95_ms']:7.1f} ms   ({STATUS_RUNS} runs)\n"
        f"{prefix} pkcs11-tool -L  median {results[f'{prefix}_pkcs11_tool_L_median_ms']:7.1f} ms"
        f"   ({TOOL_RUNS} runs)"
    )


def _softhsm(results: dict[str, float | str], work: Path) -> None:
    if not SOFTHSM.exists() or shutil.which("softhsm2-util") is None:
        results["softhsm_skipped"] = "softhsm2 not installed"
        print("softhsm: skipped (softhsm2 not installed)")
        return
    tokens = work / "tokens"
    tokens.mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    init = ["softhsm2-util", "--init-token", "--free", "--label", "BENCH"]
    subprocess.run(
        [*init, "--pin", "123456", "--so-pin", "12345678"],
        check=True,
        capture_output=True,
    )
    from assistant.card.profiles import ProfileSet
    from assistant.card.token import open_token

    opened = open_token(
        ProfileSet.load().get("unknown"), token_label="BENCH", configured_module=SOFTHSM
    )
    token = opened.unwrap()
    _status_vs_tool("softhsm", results, SOFTHSM, lambda: token.status().unwrap())


def _rig(results: dict[str, float | str], work: Path) -> None:
    try:
        from assistant.demo.pcscd import PcscService
        from assistant.demo.pki import TestPki
        from assistant.demo.virtual_card import VirtualCard, create_state
    except ImportError as exc:
        results["rig_skipped"] = f"virtual card rig not importable: {exc}"
        print(f"rig: skipped ({results['rig_skipped']})")
        return
    service = PcscService(work / "pcsc")
    try:
        service.start()
        os.environ.update(service.env())  # before this process's first PC/SC call
        conf = work / "opensc.conf"
        conf.write_text(OPENSC_CONF)
        os.environ["OPENSC_CONF"] = str(conf)
        slot = service.acquire_slot()
        create_state(TestPki(work / "pki"), work / "card.json")
        card = VirtualCard(work / "card.json", "piv", slot.port, slot.name)
        _insert_latency(results, card)
        _rig_status(results, card)
    except (OSError, RuntimeError, TimeoutError) as exc:
        results["rig_skipped"] = f"virtual card rig not usable here: {exc}"
        print(f"rig: skipped ({results['rig_skipped']})")
    finally:
        service.stop()
        service.cleanup()


def _insert_latency(results: dict[str, float | str], card: _Card) -> None:
    from assistant.card.monitor import CardEvent, CardInserted, CardMonitor, CardRemoved

    events: queue.Queue[CardEvent] = queue.Queue()
    latencies = []
    reader = card.reader

    def next_event(kind: type) -> CardEvent:
        while True:
            event = events.get(timeout=10)
            if isinstance(event, kind) and getattr(event, "reader", None) == reader:
                return event

    try:
        with CardMonitor(events.put):
            for _ in range(INSERTS):
                start = time.monotonic()
                card.insert(wait=False)
                inserted = next_event(CardInserted)
                latencies.append(inserted.observed_at - start)
                card.remove(wait=False)
                next_event(CardRemoved)
    except queue.Empty as exc:
        raise TimeoutError("no card event within 10 s") from exc
    results["insert_to_event_median_ms"], results["insert_to_event_p95_ms"] = median_p95_ms(
        latencies
    )
    # Baseline: how long PC/SC itself takes to report the card (the rig's own wait on one
    # reader); the difference is what the monitor adds.
    baseline = []
    for _ in range(INSERTS):
        start = time.monotonic()
        card.insert(wait=True)
        baseline.append(time.monotonic() - start)
        card.remove(wait=True)
    results["pcsc_insert_baseline_median_ms"], _ = median_p95_ms(baseline)
    print(
        f"insert→event       median {results['insert_to_event_median_ms']:7.1f} ms"
        f"   p95 {results['insert_to_event_p95_ms']:7.1f} ms   ({INSERTS} inserts)\n"
        f"pcsc own detection median {results['pcsc_insert_baseline_median_ms']:7.1f} ms"
        "   (single-reader SCardGetStatusChange, no monitor)"
    )


def _rig_status(results: dict[str, float | str], card: _Card) -> None:
    from assistant.card.profiles import ProfileSet
    from assistant.card.token import open_token

    card.insert()
    reader = card.reader
    opened = open_token(ProfileSet.load().get("piv"), reader=reader, configured_module=OPENSC)
    token = opened.unwrap()
    _status_vs_tool("virtual_piv", results, OPENSC, lambda: token.status().unwrap())


def main() -> dict[str, float | str]:
    results: dict[str, float | str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-card-") as tmp:
        work = Path(tmp)
        (work / "hsm").mkdir()
        _softhsm(results, work / "hsm")
        if shutil.which("pcscd") is None or not OPENSC.exists():
            results["rig_skipped"] = "pcscd or OpenSC not installed"
            print(f"rig: skipped ({results['rig_skipped']})")
        else:
            (work / "rig").mkdir()
            _rig(results, work / "rig")
    return results

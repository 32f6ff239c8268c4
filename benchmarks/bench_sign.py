"""Signing and verifying 1 MB and 50 MB PDFs on the virtual card rig.

Host time is the wall time of `sign_pdf` minus the time spent inside the card's own
signature (`TokenSession.sign_digest`: PIN presentation and C_Sign over the vpcd link),
so it measures what this code and pyHanko do: hashing the document, building the CMS,
writing and re-checking the signed copy. Verification runs offline (no CA asked).
Peak memory is tracemalloc's peak of Python allocations during one call, measured in a
separate run (tracing slows the code down); hashing and writing are streamed, so it
should not grow with the document.
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

SIZES = {"1mb": 1024 * 1024, "50mb": 50 * 1024 * 1024}
RUNS = {"1mb": 5, "50mb": 2}
OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
OPENSC_CONF = (
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)


def main() -> dict[str, float | str]:
    results: dict[str, float | str] = {}
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import TestPki
    from assistant.demo.virtual_card import VirtualCard, create_state

    with tempfile.TemporaryDirectory(prefix="bench-sign-") as tmp:
        work = Path(tmp)
        service = PcscService(work / "pcsc")
        try:
            service.start()
            os.environ.update(service.env())  # before this process's first PC/SC call
            (work / "opensc.conf").write_text(OPENSC_CONF)
            os.environ["OPENSC_CONF"] = str(work / "opensc.conf")
            pki = TestPki(work / "pki")
            create_state(pki, work / "card.json")
            slot = service.acquire_slot()
            card = VirtualCard(work / "card.json", "piv", slot.port, slot.name)
            card.insert()
            try:
                _measure(results, work, pki, slot.name)
            finally:
                card.remove(wait=False)
        finally:
            service.stop()
            service.cleanup()
    return results


def _measure(results: dict[str, float | str], work: Path, pki: Any, reader: str) -> None:
    from assistant.card.profiles import ProfileSet
    from assistant.card.token import open_token
    from assistant.demo.documents import write_sample_pdf
    from assistant.pki.trust import load_trust_store
    from assistant.sign.signing import CardKey

    trust = work / "trust"
    trust.mkdir()
    for name in ("root.pem", "ca.pem"):
        shutil.copyfile(pki.dir / name, trust / name)
    store = load_trust_store([trust])
    token = open_token(ProfileSet.load().get("piv"), reader=reader, configured_module=OPENSC)
    session = token.unwrap()
    certificates = session.certificates().unwrap()
    signing = next(c for c in certificates if c.non_repudiation)
    key = CardKey(session, signing, certificates)
    card_seconds: list[float] = []
    real = session.sign_digest

    def timed_card(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            card_seconds.append(time.perf_counter() - start)

    session.sign_digest = timed_card  # type: ignore[method-assign]
    for label, size in SIZES.items():
        folder = work / label
        folder.mkdir()
        document = write_sample_pdf(folder / "belge.pdf", size=size)
        _one_size(
            results, label, document=document, key=key, store=store, card_seconds=card_seconds
        )
        r = {k: v for k, v in results.items() if label in k}
        print(f"{label:>5}: {r}")
        shutil.rmtree(folder)


def _one_size(
    results: dict[str, float | str],
    label: str,
    *,
    document: Path,
    key: Any,
    store: Any,
    card_seconds: list[float],
) -> None:
    from assistant.secret import Secret, SecretKind
    from assistant.sign.pades import sign_pdf
    from assistant.sign.verify import verify_file

    def sign_once() -> Path:
        pin = Secret("123456", SecretKind.PIN)
        outcome = sign_pdf(document, key, pin, store=store, fetch=False)
        assert outcome.ok and outcome.signed is not None, outcome
        return outcome.signed.path

    host, card_time = [], []
    for _ in range(RUNS[label]):
        card_seconds.clear()
        start = time.perf_counter()
        signed = sign_once()
        total = time.perf_counter() - start
        card_time.append(sum(card_seconds))
        host.append(total - sum(card_seconds))
        signed.unlink()
    signed = sign_once()
    verify_times = []
    for _ in range(RUNS[label]):
        start = time.perf_counter()
        assert verify_file(signed, store=store, fetch=False).signatures
        verify_times.append(time.perf_counter() - start)
    results[f"sign_{label}_host_ms"] = round(statistics.median(host) * 1000, 1)
    results[f"sign_{label}_card_ms"] = round(statistics.median(card_time) * 1000, 1)
    results[f"verify_{label}_ms"] = round(statistics.median(verify_times) * 1000, 1)
    results[f"verify_{label}_peak_mb"] = _peak_mb(
        lambda: verify_file(signed, store=store, fetch=False)
    )
    signed.unlink()
    results[f"sign_{label}_peak_mb"] = _peak_mb(lambda: sign_once().unlink())


def _peak_mb(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / (1024 * 1024), 1)


if __name__ == "__main__":
    main()

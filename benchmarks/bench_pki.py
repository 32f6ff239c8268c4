"""Revocation check latency against a local `openssl ocsp` responder (P-384 test CA).

Measures a full OCSP round trip (request building, HTTP POST on loopback, response
parsing and verification), the same through check_revocation with a warm on-disk cache,
and certificate-facts parsing. Numbers are for comparison between commits, not goals.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path

import httpx

from assistant.demo.pki import TestPki
from assistant.pki.cache import RevocationCache
from assistant.pki.facts import read_facts
from assistant.pki.ocsp import check_ocsp
from assistant.pki.revocation import check_revocation
from assistant.pki.status import RevocationStatus
from benchmarks.timing import median_p95_ms, timed

RUNS = 30


def _times(action: Callable[[], object]) -> tuple[float, float]:
    return median_p95_ms(timed(action, RUNS), digits=2)


def main() -> dict[str, float]:
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        rig = TestPki(Path(tmp) / "ca")
        holder = rig.issue_holder()
        cert, issuer = holder.certificate, rig.issuing_cert
        rig.start_responder("good", (rig.dir / "ca.pem", rig.dir / "ca.key"), "-nmin", "60")
        try:
            with httpx.Client(trust_env=False, timeout=5.0) as client:

                def ocsp_once() -> None:
                    result, _ = check_ocsp(cert, issuer, client=client, now=dt.datetime.now(dt.UTC))
                    assert result.status is RevocationStatus.GOOD, result

                cache = RevocationCache(Path(tmp) / "cache")
                check_revocation(cert, issuer, client=client, cache=cache)

                def cached_once() -> None:
                    assert check_revocation(cert, issuer, client=client, cache=cache).from_cache

                measured = {
                    "ocsp": _times(ocsp_once),
                    "cached": _times(cached_once),
                    "facts": _times(lambda: read_facts(cert)),
                }
        finally:
            rig.stop()
    labels = {
        "ocsp": "OCSP check (loopback openssl)",
        "cached": "check_revocation, warm cache",
        "facts": "read_facts",
    }
    for key, (median, p95) in measured.items():
        results[f"{key}_median_ms"] = median
        results[f"{key}_p95_ms"] = p95
        print(f"{labels[key]:32} median {median:7.2f} ms   p95 {p95:7.2f} ms   ({RUNS} runs)")
    return results


if __name__ == "__main__":
    main()

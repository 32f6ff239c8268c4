"""Training portal latency on loopback: a full "Şifreli Giriş" round trip and a menu call.

The portal runs as users run it (`python -m assistant.portal.reference`, uvicorn, a
subprocess); the httpx client drives it. One login = begin_login (captcha PNG), the
training captcha answer, submit_login (scrypt check of the security word, SMS to the
outbox), reading the outbox, submit_sms. Numbers are for comparison between commits.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from assistant.portal.client import PortalClient
from assistant.portal.reference.service import Limits
from assistant.portal.reference.training import captcha_answer, latest_code
from assistant.secret import Secret, SecretKind
from benchmarks.timing import median_p95_ms, timed
from tests.integration.portal.conftest import wait_until_serving
from tests.unit.portal.conftest import TCKN, TRAINING_KEY, WORD_CANARY, free_port, write_seed

RUNS = 30
LOGIN_RUNS = Limits.sms_per_window
"""The portal sends a Kimlik No at most this many SMS an hour, as the CA's does: more
logins in a row are refused (locked_out), so the login is timed this many times."""


def _median_p95(action: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    return median_p95_ms(timed(action, runs), digits=2)


def main() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "key").write_text(TRAINING_KEY, encoding="utf-8")
        port, outbox = free_port(), root / "outbox.jsonl"
        command = [
            sys.executable, "-m", "assistant.portal.reference",
            "--state", str(root / "state.json"), "--port", str(port),
            "--seed", str(write_seed(root / "seed.yaml")), "--outbox", str(outbox),
            "--training-key-file", str(root / "key"), "--log-level", "warning",
        ]  # fmt: skip
        base_url = f"http://127.0.0.1:{port}"
        with (root / "log").open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_serving(base_url, process, root / "log")
            with PortalClient(base_url) as client:

                def login() -> None:
                    challenge = client.begin_login(TCKN)
                    answer = captcha_answer(base_url, challenge.login_id, TRAINING_KEY)
                    word = Secret(WORD_CANARY, SecretKind.SECURITY_WORD)
                    assert client.submit_login(answer, word).outcome.value == "sms_sent"
                    code = latest_code(outbox)
                    assert code is not None
                    assert (
                        client.submit_sms(Secret(code, SecretKind.SMS_CODE)).outcome.value == "ok"
                    )

                login_median, login_p95 = _median_p95(login, LOGIN_RUNS)
                list_median, list_p95 = _median_p95(client.list_certificates)
        finally:
            process.terminate()
            process.wait(timeout=10)
    results = {
        "login_round_trip_median_ms": login_median,
        "login_round_trip_p95_ms": login_p95,
        "list_certificates_median_ms": list_median,
        "list_certificates_p95_ms": list_p95,
    }
    print(
        f"full login (5 requests + outbox) median {login_median:7.2f} ms  p95 {login_p95:7.2f} ms"
    )
    print(f"Sertifika Listele                median {list_median:7.2f} ms  p95 {list_p95:7.2f} ms")
    return results


if __name__ == "__main__":
    main()

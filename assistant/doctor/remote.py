"""The doctor's findings over the agent's socket: `{"op": "doctor"}` and its answer.

A running agent already holds the card: its monitor's picture, the loaded module and an
open token. Asking it costs a few APDUs; loading OpenSC again in a fresh process costs a
second or more. The answer carries findings (plain facts, no sentences) and the signing
certificate, so `nes-asistan doctor` words, prints and writes the very report the cold
path would; `--include-certificate` still decides alone whether the certificate goes
into a file. Anything unexpected in the answer means: ask nobody, run the checks here.
"""

from __future__ import annotations

import base64
import binascii
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.doctor.checks import DoctorRun
from assistant.doctor.findings import Finding, Status

REQUEST = b'{"op": "doctor"}\n'
ANSWER_TYPE = "doctor"
ANSWER_SECONDS = 60.0
"""The agent runs every check, revocation included, whose network waits are bounded."""
MAX_ANSWER_BYTES = 1024 * 1024


def encode_run(run: DoctorRun) -> dict[str, Any]:
    """The agent's answer to a doctor request."""
    der = run.certificate_der
    return {
        "type": ANSWER_TYPE,
        "findings": [
            {
                "check": f.check,
                "result": f.result,
                "status": f.status.value,
                "facts": dict(f.facts),
                "fix": f.fix,
            }
            for f in run.findings
        ],
        "certificate": base64.b64encode(der).decode("ascii") if der is not None else None,
    }


def decode_run(answer: Mapping[str, Any]) -> DoctorRun | None:
    """The run an answer describes; None when it is not a well-formed doctor answer."""
    listed = answer.get("findings")
    if answer.get("type") != ANSWER_TYPE or not isinstance(listed, list):
        return None
    findings = [_finding(item) for item in listed]
    if any(f is None for f in findings):
        return None
    certificate = answer.get("certificate")
    try:
        der = base64.b64decode(certificate, validate=True) if certificate is not None else None
    except (TypeError, binascii.Error):
        return None
    return DoctorRun([f for f in findings if f is not None], der)


def _finding(item: object) -> Finding | None:
    if not isinstance(item, dict):
        return None
    check, result, status, facts, fix = (
        item.get(k) for k in ("check", "result", "status", "facts", "fix")
    )
    if not (isinstance(check, str) and isinstance(result, str) and isinstance(facts, dict)):
        return None
    if status not in set(Status) or not (fix is None or isinstance(fix, str)):
        return None
    plain = (str, int, bool, type(None))
    if not all(isinstance(k, str) and isinstance(v, plain) for k, v in facts.items()):
        return None
    return Finding(check, result, Status(status), facts, fix)


def ask_agent(path: Path, timeout: float = ANSWER_SECONDS) -> DoctorRun | None:
    """The running agent's findings; None when no agent answers (or not as expected)."""
    from assistant.boundedjson import parse_object

    with socket.socket(socket.AF_UNIX) as connection:
        try:
            connection.connect(str(path))
            connection.settimeout(timeout)
            connection.sendall(REQUEST)
            line = _read_line(connection)
        except OSError:
            return None
    answer = parse_object(line) if line else None
    return decode_run(answer) if answer is not None else None


def _read_line(connection: socket.socket) -> bytes:
    """The answer line; b"" if the agent closed first or the answer is far too long."""
    received = bytearray()
    while b"\n" not in received:
        chunk = connection.recv(65536)
        if not chunk or len(received) > MAX_ANSWER_BYTES:
            return b""
        received += chunk
    return bytes(received.partition(b"\n")[0])

"""The doctor's answer over the agent socket: what goes in comes out, and anything else
(an old agent, a stranger on the socket, a broken answer) means: run the checks here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistant.doctor.checks import DoctorRun
from assistant.doctor.findings import Finding, Status
from assistant.doctor.remote import ask_agent, decode_run, encode_run

RUN = DoctorRun(
    [
        Finding("pcsc", "running", Status.OK),
        Finding("card", "absent", Status.FAIL, {"reader": "R 00 00", "count": 1}, "insert_card"),
        Finding("token", "skipped", Status.SKIP, {"after": "card"}),
    ],
    b"\x30\x82certificate",
)


def test_a_run_survives_the_socket() -> None:
    wire = json.loads(json.dumps(encode_run(RUN)))
    assert decode_run(wire) == RUN
    assert decode_run({**wire, "certificate": None}) == DoctorRun(RUN.findings, None)


@pytest.mark.parametrize(
    "answer",
    [
        {"type": "error", "error": "bad_request"},  # an agent that knows no doctor request
        {"type": "doctor", "findings": "all fine"},
        {"type": "doctor", "findings": [{"check": "pcsc", "result": "running"}]},
        {
            "type": "doctor",
            "findings": [
                {"check": "pcsc", "result": "x", "status": "great", "facts": {}, "fix": None}
            ],
        },
        {
            "type": "doctor",
            "findings": [
                {
                    "check": "pcsc",
                    "result": "x",
                    "status": "ok",
                    "facts": {"nested": {"a": 1}},
                    "fix": None,
                }
            ],
        },
        {"type": "doctor", "findings": [], "certificate": "not base64!"},
    ],
)
def test_anything_else_is_no_answer(answer: dict[str, Any]) -> None:
    assert decode_run(answer) is None


def test_no_agent_listening_is_no_answer(tmp_path: Path) -> None:
    assert ask_agent(tmp_path / "agent.sock") is None

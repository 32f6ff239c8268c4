"""Every tests/conversations/*.yaml transcript, run against the fixture flows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conversations.runner import run

TRANSCRIPTS = sorted(Path(__file__).parent.glob("*.yaml"))


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_conversation(path: Path) -> None:
    run(path)


def test_there_are_transcripts() -> None:
    assert len(TRANSCRIPTS) >= 5

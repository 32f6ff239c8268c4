"""A helpdesk store on a fake clock, so expiry and rate windows are tested without sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.helpdesk_server.store import HelpdeskStore


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> Iterator[HelpdeskStore]:
    opened = HelpdeskStore(tmp_path / "helpdesk.db", clock=clock)
    yield opened
    opened.close()

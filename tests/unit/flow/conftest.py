"""Shared fixtures: the fixture flows and a registry whose actions the test scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.flow.loader import load_all
from assistant.flow.model import Flow
from tests.fixtures.flows.actions import Recorder, default_answer

FIXTURES = Path(__file__).parents[2] / "fixtures" / "flows"


@pytest.fixture(scope="session")
def flows() -> dict[str, Flow]:
    loaded, problems = load_all([FIXTURES])
    assert problems == []
    return loaded


@pytest.fixture
def recorder() -> Recorder:
    return Recorder(default_answer)

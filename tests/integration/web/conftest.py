"""Fixtures: a virtual AKİS card with a distinctive PIN and the web chat serving it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from assistant.demo.virtual_card import VirtualCard
from tests.integration.web.server import WebServer, start_server

CANARY_PIN = "730419"  # distinctive: must never show up in a file, a log or the output


@pytest.fixture
def akis_card(virtual_card: Callable[..., VirtualCard]) -> VirtualCard:
    return virtual_card(atr="akis", key_type="p384", pin=CANARY_PIN)


@pytest.fixture
def web_server(akis_card: VirtualCard, opensc_module: Path, tmp_path: Path) -> Iterator[WebServer]:
    server = start_server(tmp_path, opensc_module)
    try:
        yield server
    finally:
        server.stop()

"""Fixtures: a virtual AKİS card with a distinctive PIN and the web chat serving it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from assistant.demo.virtual_card import VirtualCard
from tests.integration.web.server import WebServer, start_server

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright cannot download browsers here
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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, driven by Playwright (one per test module)."""
    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} missing: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, web_server: WebServer) -> Iterator[Page]:
    """The chat page, failing the test on any script error or CSP violation."""
    page = browser.new_page(viewport={"width": 900, "height": 1000}, locale="tr-TR")
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(web_server.url)
    yield page
    page.close()
    assert problems == []

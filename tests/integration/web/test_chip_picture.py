"""The brochure's picture, on the real rig: with the reader there and no card in it, the
web chat shows our chip drawing at "insert the chip", with its alt text; pushing the
(virtual) chip in moves the conversation on by itself, and pulling it out pauses it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from assistant.demo.virtual_card import VirtualCard
from tests.integration.web.conftest import CANARY_PIN
from tests.integration.web.server import WebServer, start_server

pytestmark = pytest.mark.integration

STEP_TIMEOUT_MS = 30_000


@pytest.fixture
def card_out(virtual_card: Callable[..., VirtualCard]) -> VirtualCard:
    return virtual_card(atr="akis", key_type="p384", pin=CANARY_PIN, insert=False)


@pytest.fixture
def server_without_card(
    card_out: VirtualCard, opensc_module: Path, tmp_path: Path
) -> Iterator[WebServer]:
    server = start_server(tmp_path, opensc_module)
    try:
        yield server
    finally:
        server.stop()


def test_the_chip_picture_shows_at_the_insert_step_and_the_card_moves_it_on(
    browser: Browser, server_without_card: WebServer, card_out: VirtualCard
) -> None:
    page = browser.new_page(viewport={"width": 900, "height": 1000})
    base = server_without_card.url.split("#")[0]
    page.goto(f"{base}?lang=en#{server_without_card.token}")
    new_card = page.get_by_role("button", name=re.compile("My card has just arrived"))
    expect(new_card).to_be_visible(timeout=STEP_TIMEOUT_MS)
    new_card.click()
    log = page.locator("#log")
    expect(log).to_contain_text("Now put the chip into the reader", timeout=STEP_TIMEOUT_MS)
    image = page.locator("#messages li", has_text="Now put the chip").locator("figure img")
    expect(image).to_be_visible()
    expect(image).to_have_attribute("src", "/static/pictures/chip_insert.svg")
    expect(image).to_have_attribute("alt", re.compile("^Drawing: the chip piece is broken out"))
    assert image.evaluate("i => i.complete && i.naturalWidth > 0")  # the SVG really loaded
    assert page.locator("#messages figure img").count() == 1  # only where the brochure has one

    card_out.insert()
    expect(log).to_contain_text("Do you know your PIN?", timeout=STEP_TIMEOUT_MS)
    card_out.remove()
    expect(log).to_contain_text("The card was removed, so I have paused", timeout=STEP_TIMEOUT_MS)
    page.close()

"""The first-time journey in headless Chromium, keyboard only, with a screenshot check;
and the canary: the PIN typed into the page is found nowhere on disk or in the output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from assistant.demo.virtual_card import VirtualCard
from tests.integration.web.conftest import CANARY_PIN
from tests.integration.web.png import distinct_colours, pixels
from tests.integration.web.server import WebServer

pytestmark = pytest.mark.integration

WRONG_PIN = "582916"  # also a secret: a mistyped PIN must not leak either
STEP_TIMEOUT_MS = 30_000
MASK = "••••••"


def test_onboarding_journey_keyboard_only(page: Page, tmp_path: Path) -> None:
    log, field = page.locator("#log"), page.locator("#reply-input")
    _to_knows_pin(page)
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.get_by_label("Yanıtınız")).to_be_focused()  # labelled, and focus is there

    page.keyboard.type("1")  # "Evet" by its number
    page.keyboard.press("Enter")
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("PIN doğru.", timeout=STEP_TIMEOUT_MS)
    expect(log.locator("li.me").last).to_contain_text(MASK)

    expect(log).to_contain_text("Şimdi değiştirmek ister misiniz?")
    expect(field).to_have_attribute("type", "text")
    expect(field).to_be_focused()
    page.keyboard.press("Shift+Tab")  # from the field back to the last choice: "Hayır"
    expect(page.get_by_role("button", name="2. Hayır")).to_be_focused()
    page.keyboard.press("Enter")

    expect(log).to_contain_text("deneme imzası")
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("Deneme imzası atıldı", timeout=STEP_TIMEOUT_MS)
    expect(log).to_contain_text("Kartınız kullanıma hazır")
    assert CANARY_PIN not in page.content()

    shot = tmp_path / "journey.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    width, height, _, _ = pixels(data)
    assert (width, height >= 1000) == (900, True)
    assert len(data) > 20_000  # a page of text, not an empty canvas
    assert distinct_colours(data) > 50  # text anti-aliasing, header, bubbles: not uniform


def test_pin_typed_in_the_browser_is_nowhere_on_disk_or_in_output(
    page: Page, web_server: WebServer, akis_card: VirtualCard
) -> None:
    log = page.locator("#log")
    _to_knows_pin(page)
    page.get_by_role("button", name="1. Evet").click()
    _type_secret(page, WRONG_PIN)
    expect(log).to_contain_text("PIN yanlış", timeout=STEP_TIMEOUT_MS)
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("PIN doğru.", timeout=STEP_TIMEOUT_MS)
    page.get_by_role("button", name="2. Hayır").click()
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("Kartınız kullanıma hazır", timeout=STEP_TIMEOUT_MS)

    secrets = (CANARY_PIN, WRONG_PIN)
    # The scan can see a PIN where one is: the virtual card's own state file holds it.
    assert _leaks(akis_card.state_path, (CANARY_PIN,))
    state = sorted(web_server.home.rglob("*.sqlite3*"))
    logs = sorted(web_server.home.rglob("*.log*"))
    assert state and logs, "expected the state DB and the agent log under NES_ASISTAN_HOME"
    for path in _files(web_server.home):  # while running: the WAL is still there
        assert not _leaks(path, secrets), path
    assert web_server.stop() == 0
    for path in [*_files(web_server.home), web_server.stdout, web_server.stderr]:
        assert not _leaks(path, secrets), path
        if path != web_server.stdout:  # the URL printed for the person carries the token
            assert not _leaks(path, (web_server.token,)), path


def _to_knows_pin(page: Page) -> None:
    """Past the topic menu, if the assistant opens with one, to "PIN'inizi biliyor musunuz?"."""
    expect(page.locator("#choices button").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    new_card = page.get_by_role("button", name=re.compile("Kartım yeni geldi"))
    if new_card.count():
        new_card.focus()
        page.keyboard.press("Enter")
    expect(page.locator("#log")).to_contain_text(
        "PIN'inizi biliyor musunuz?", timeout=STEP_TIMEOUT_MS
    )


def _type_secret(page: Page, value: str) -> None:
    field = page.locator("#reply-input")
    expect(field).to_have_attribute("type", "password", timeout=STEP_TIMEOUT_MS)
    expect(field).to_be_focused()
    expect(page.locator("#reply-label")).to_have_text("PIN'iniz (ekranda görünmez)")
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    expect(field).to_have_value("")  # cleared as soon as it is sent


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _leaks(path: Path, values: tuple[str, ...]) -> bool:
    data = path.read_bytes()
    return any(
        value.encode(encoding) in data for value in values for encoding in ("utf-8", "utf-16-le")
    )


def test_arabic_turns_the_page_right_to_left(browser: Browser, web_server: WebServer) -> None:
    page = browser.new_page(locale="ar-EG")
    base = web_server.url.split("#")[0]
    page.goto(f"{base}?lang=ar#{web_server.token}")
    expect(page.locator("#choices button").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    mine = page.locator("#log li.me").first
    expect(mine).to_be_visible()
    log_box, mine_box = page.locator("#log").bounding_box(), mine.bounding_box()
    assert log_box is not None and mine_box is not None
    assert mine_box["x"] < log_box["x"] + log_box["width"] / 2  # own replies sit on the left
    page.close()


def test_forgotten_pin_points_to_the_portal(page: Page, akis_card: VirtualCard) -> None:
    log = page.locator("#log")
    _to_knows_pin(page)
    page.get_by_role("button", name="2. Hayır").click()
    expect(log).to_contain_text('"PIN / PUK Bilgisi"', timeout=STEP_TIMEOUT_MS)
    expect(log).to_contain_text("Kilit Çözme ile Kamu SM'den yeni bir PIN alabilirsiniz")
    assert akis_card.pin_tries_left == 3


def test_last_try_needs_the_typed_phrase(page: Page, akis_card: VirtualCard) -> None:
    log = page.locator("#log")
    _to_knows_pin(page)
    page.get_by_role("button", name="1. Evet").click()
    for wrong in ("111222", "333444"):
        _type_secret(page, wrong)
        expect(log.locator("li", has_text="PIN yanlış")).to_have_count(
            1 if wrong == "111222" else 2, timeout=STEP_TIMEOUT_MS
        )
    _type_secret(page, "555666")  # not sent: the card is on its last try
    expect(log).to_contain_text("yalnızca 1 deneme hakkınız kaldı", timeout=STEP_TIMEOUT_MS)
    assert akis_card.pin_tries_left == 1
    page.get_by_role("button", name="1. Evet").click()
    expect(log).to_contain_text("SON DENEME yazınız", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#reply-input")).to_be_focused()
    page.keyboard.type("evet")  # plain yes is not consent
    page.keyboard.press("Enter")
    expect(log).to_contain_text("aynen yazmanız gerekiyor", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#reply-input")).to_be_focused()
    page.keyboard.type("SON DENEME")
    page.keyboard.press("Enter")
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("PIN doğru.", timeout=STEP_TIMEOUT_MS)
    assert akis_card.pin_tries_left == 3


def test_card_pulled_mid_flow_pauses_and_resumes(page: Page, akis_card: VirtualCard) -> None:
    log = page.locator("#log")
    _to_knows_pin(page)
    page.get_by_role("button", name="1. Evet").click()
    expect(page.locator("#reply-input")).to_have_attribute("type", "password")
    akis_card.remove()
    expect(log).to_contain_text("Kart çıkarıldı; görüşmeyi duraklattım", timeout=STEP_TIMEOUT_MS)
    akis_card.insert()
    expect(log).to_contain_text("Kart yeniden takıldı", timeout=STEP_TIMEOUT_MS)
    _type_secret(page, CANARY_PIN)
    expect(log).to_contain_text("PIN doğru.", timeout=STEP_TIMEOUT_MS)

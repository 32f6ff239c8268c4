"""A web chat anyone can use: WCAG 2.1 AA by axe-core (through Playwright, in Debian's
Chromium) on every screen kind in every language, keyboard-only use, a live region,
visible focus, 360 px and 200% zoom without sideways scrolling, reduced motion, forced
colours, and Arabic right to left (checked on a screenshot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from assistant.i18n.language import SUPPORTED
from tests.integration.web.png import pixels
from tests.integration.web.screens import SCREENS, ScreenServer, screen_server

pytestmark = pytest.mark.integration

TIMEOUT_MS = 20_000
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
AXE = Axe()


@pytest.fixture(scope="module")
def server() -> Iterator[ScreenServer]:
    with screen_server() as served:
        yield served


def _open(
    browser: Browser, server: ScreenServer, screen: str, language: str, **page_options: object
) -> Page:
    server.screen = screen
    options: dict[str, object] = {"viewport": {"width": 900, "height": 900}, **page_options}
    page = browser.new_page(**options)  # type: ignore[arg-type]
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(server.page_url(language))
    expect(page.locator("html")).to_have_attribute("lang", language, timeout=TIMEOUT_MS)
    expect(page.locator("#reply-input")).to_be_enabled(timeout=TIMEOUT_MS)
    assert problems == []
    return page


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_axe_finds_no_wcag_aa_violation(
    browser: Browser, server: ScreenServer, screen: str, language: str
) -> None:
    page = _open(browser, server, screen, language)
    field = page.locator("#reply-input")
    if screen == "picture":
        image = page.locator("#messages figure img")
        expect(image).to_be_visible()
        alt = image.get_attribute("alt") or ""
        assert len(alt) > 40 and image.evaluate("i => i.complete && i.naturalWidth > 0")
    if screen == "secret":
        expect(field).to_have_attribute("type", "password")
    if screen in ("menu", "error"):
        expect(page.locator("#choices button").first).to_be_visible()
    if screen == "error":
        expect(page.locator("#messages li").nth(-2)).not_to_have_text("")
    results = AXE.run(page, options=WCAG_AA)
    assert [
        (v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]
    ] == []
    page.close()


def test_the_chip_picture_has_alt_text_in_every_language(
    browser: Browser, server: ScreenServer
) -> None:
    alts = {}
    for language in SUPPORTED:
        page = _open(browser, server, "picture", language)
        alts[language] = page.locator("#messages figure img").get_attribute("alt")
        page.close()
    assert alts["tr"] is not None and alts["tr"].startswith("Çizim:")
    assert alts["en"] is not None and alts["en"].startswith("Drawing:")
    assert alts["de"] is not None and alts["de"].startswith("Zeichnung:")
    assert alts["ar"] is not None and alts["ar"].startswith("رسم:")


def test_new_messages_land_in_a_live_log(browser: Browser, server: ScreenServer) -> None:
    page = _open(browser, server, "menu", "en")
    log = page.locator("#log")
    expect(log).to_have_attribute("role", "log")  # implies aria-live="polite"
    expect(log).to_have_attribute("aria-label", "Chat")
    before = page.locator("#log li").count()
    page.keyboard.type("zzz")
    page.keyboard.press("Enter")
    expect(page.locator("#log li")).to_have_count(before + 3)  # mine, the notice, the menu again
    page.close()


def test_keyboard_only_from_the_menu_to_an_answer(browser: Browser, server: ScreenServer) -> None:
    page = _open(browser, server, "menu", "de")
    field = page.locator("#reply-input")
    expect(field).to_be_focused()
    page.keyboard.press("Shift+Tab")  # back from the field to the last choice
    last = page.locator("#choices button").last
    expect(last).to_be_focused()
    outline = last.evaluate(
        "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth"
    )
    assert outline.startswith("solid") and float(outline.split()[1].removesuffix("px")) >= 2
    for _ in range(page.locator("#choices button").count() - 2):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the second topic: "Ist mein Zertifikat gültig?"
    expect(page.locator("#log li.me").last).to_contain_text("Ist mein Zertifikat gültig?")
    expect(field).to_be_focused(timeout=TIMEOUT_MS)
    field_outline = field.evaluate("i => getComputedStyle(i).outlineStyle")
    assert field_outline == "solid"  # the focus ring is visible on the field too
    page.close()


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_360_pixels_and_200_percent_zoom_need_no_sideways_scrolling(
    browser: Browser, server: ScreenServer, screen: str
) -> None:
    for width, zoom in ((360, 1), (720, 2)):
        page = _open(browser, server, screen, "de", viewport={"width": width, "height": 800})
        page.evaluate(f"document.documentElement.style.zoom = '{zoom}'")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (screen, width, zoom)
        for control in ("#reply-input", "#send"):
            box = page.locator(control).bounding_box()
            assert box is not None and box["x"] >= 0 and (box["x"] + box["width"]) <= width + 1
        page.close()


def test_reduced_motion_turns_the_arrival_animation_off(
    browser: Browser, server: ScreenServer
) -> None:
    moving = _open(browser, server, "menu", "en")
    assert (
        moving.locator("#messages li").first.evaluate("li => getComputedStyle(li).animationName")
        == "arrive"
    )
    moving.close()
    calm = _open(browser, server, "menu", "en", reduced_motion="reduce")
    assert (
        calm.locator("#messages li").first.evaluate("li => getComputedStyle(li).animationName")
        == "none"
    )
    calm.close()


def test_forced_colours_keep_bubbles_buttons_and_focus_visible(
    browser: Browser, server: ScreenServer
) -> None:
    page = _open(browser, server, "menu", "tr", forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    bubble = page.locator("#messages li").first
    assert bubble.evaluate("li => getComputedStyle(li).borderTopStyle") == "solid"
    button = page.locator("#choices button").first
    assert button.evaluate("b => getComputedStyle(b).borderTopWidth") == "2px"
    results = AXE.run(page, options=WCAG_AA)
    assert results.response["violations"] == []
    page.close()


def test_arabic_is_laid_out_right_to_left(
    browser: Browser, server: ScreenServer, tmp_path: Path
) -> None:
    page = _open(browser, server, "picture", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot = tmp_path / "ar.png"
    page.screenshot(path=str(shot))
    width, _, step, rows = pixels(shot.read_bytes())
    heading = page.locator("h1").bounding_box()
    bubble = page.locator("#messages li").first.bounding_box()
    assert heading is not None and bubble is not None
    # The title's ink starts at the right: dark-on-red... read the white text pixels.
    top, bottom = int(heading["y"]), int(heading["y"] + heading["height"])
    white = [
        x
        for row in rows[top:bottom]
        for x in range(width)
        if all(v > 230 for v in row[x * step : x * step + 3])
    ]
    assert white and min(white) > width / 2  # "NES Asistanı" sits on the right half
    assert bubble["x"] + bubble["width"] > width * 0.6  # the assistant speaks from the right
    line = page.locator("#messages li").nth(1).evaluate("li => getComputedStyle(li).direction")
    assert line == "rtl"
    page.close()

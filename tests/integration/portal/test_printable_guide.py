"""The printable walkthroughs: one page per guided walk on the real Kamu SM site, in every
language, checked with poppler's pdftotext/pdfinfo/pdftoppm (not with our own code), and
offered in the chat, which saves it under the person's home."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from assistant.agent.actions import build_registry
from assistant.card.service import CardService
from assistant.flow.loader import load_all
from assistant.flow.session import Session
from assistant.i18n.catalog import translator
from assistant.i18n.language import SUPPORTED
from assistant.i18n.messages import text
from assistant.portal.guided import GuidedOperation, load_guides
from assistant.portal.printable import file_stem, guide_html, save_guide
from tests.integration.web.png import pixels

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[3]
# The walks the brochure describes: login, Kilit Çözme, PIN / PUK Bilgisi, Sertifikamı
# İptal Et, Askıdan İndir.
WALKS = (
    GuidedOperation.LOGIN_PASSWORD,
    GuidedOperation.UNLOCK,
    GuidedOperation.PIN_INFO,
    GuidedOperation.REVOKE,
    GuidedOperation.UNSUSPEND,
)
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _pdftotext(pdf: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True)
    return " ".join(BIDI_CONTROLS.sub("", out.stdout.decode("utf-8")).split())


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True, text=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]


@pytest.mark.parametrize("language", SUPPORTED)
@pytest.mark.parametrize("operation", WALKS)
def test_one_page_with_the_steps_labels_warnings_and_call_centre(
    operation: GuidedOperation, language: str, tmp_path: Path
) -> None:
    saved = save_guide(operation, language, tmp_path)
    assert saved.pdf.name == f"{file_stem(operation, language)}.pdf"
    assert _pages(saved.pdf) == 1
    shown = _pdftotext(saved.pdf)
    book = load_guides()
    plan = book.plan(operation)
    for step in plan:  # every site label exactly as the site writes it (Turkish)
        assert " ".join(step.target.split()) in shown, step.target
    assert "444 5 576" in shown
    for label in ("Parolalarımı Kaydet", "Parolalarımı Sil", "Kilit Çözme", "PUK"):
        assert label in shown  # the brochure's warnings
    if language != "ar":  # pdftotext keeps Latin text in order; Arabic is checked below
        title = book.guides[operation]
        assert " ".join(text(title.title_id, title.title_tr, language).split()) in shown
        for step in plan:
            words = text(step.message_id, step.text_tr, language).split()
            assert " ".join(words[:3]) in shown, step.message_id
    assert not re.search(r"\b\d{11}\b", shown)  # no TC Kimlik No, nor anything like one


def test_each_language_reads_as_its_own(tmp_path: Path) -> None:
    """Step 12 of Kilit Çözme in four languages: the person's language, the label in Turkish."""
    expected = {
        "tr": '"Kilit Çözme" butonuna tıklayınız.',
        "en": 'Click the "Kilit Çözme" (unlock) button.',
        "de": 'Klicken Sie auf die Schaltfläche "Kilit Çözme" (Entsperren).',
        "ar": 'انقر الزر "Kilit Çözme" (فك القفل).',
    }
    for language, sentence in expected.items():
        page = BIDI_CONTROLS.sub("", guide_html(GuidedOperation.UNLOCK, language))
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in page
        assert sentence.replace('"', "&quot;") in page
        assert "@page" in page and "@media print" in page


def _first_line_ink(png: bytes) -> tuple[int, int, int]:
    """(page width, leftmost, rightmost) dark column of the page's first line of text."""
    width, _, step, rows = pixels(png)
    dark_rows = [
        [x for x in range(width) if sum(row[x * step : x * step + 3]) < 300] for row in rows
    ]
    top = next(y for y, dark in enumerate(dark_rows) if dark)
    line = [x for dark in dark_rows[top : top + 10] for x in dark]
    return width, min(line), max(line)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_rendered_page_runs_in_the_languages_direction(language: str, tmp_path: Path) -> None:
    saved = save_guide(GuidedOperation.UNLOCK, language, tmp_path)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(saved.pdf), str(tmp_path / "page")],
        check=True,
    )
    png = (tmp_path / "page.png").read_bytes()
    width, left, right = _first_line_ink(png)  # the first line: "Kamu SM sitesinde adım adım"
    if language == "ar":
        assert right > width * 0.85 and left > width * 0.4  # starts at the right margin
    else:
        assert left < width * 0.15 and right < width * 0.6  # starts at the left margin


def test_the_guided_walk_offers_the_guide_and_saves_it_under_the_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NES_ASISTAN_PORTAL_URL", raising=False)  # the real site: guided
    monkeypatch.setenv("HOME", str(tmp_path))
    flows, problems = load_all([ROOT / "flows"])
    assert problems == []
    session = Session(
        flows, build_registry(CardService()), "portal", language="de", translator=translator()
    )
    out = session.start()
    assert out[-1].message_id == "portal.guided_menu"
    revoke = next(i for i, c in enumerate(out[-1].choices, 1) if c.id == "revoke")
    out = session.handle(str(revoke))
    assert out[-1].message_id == "portal_guide.offer_printable"
    assert "druckbare Anleitung" in out[-1].text
    out = session.handle("ja")
    saved = next(o for o in out if o.message_id == "portal_guide.printable_saved")
    pdf = tmp_path / "Kamu-SM-rehber-revoke-de.pdf"
    assert str(pdf) in saved.text and pdf.is_file() and pdf.with_suffix(".html").is_file()
    assert "Sertifikamı İptal Et" in _pdftotext(pdf)
    assert out[-1].message_id == "portal_guide.show"  # and the walk goes on at step 1
    assert out[-1].text.startswith("Schritt 1/")
    session.close()

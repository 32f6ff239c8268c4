"""The optional visible signature box: signer's name, date and "Nitelikli Elektronik İmza".

The words are printed into the document itself, so they stay Turkish whatever the
chat's language (the legal term of Law 5070). pyHanko's built-in font cannot draw İ, ş
or ğ; DejaVu Sans (Debian fonts-dejavu-core, bootstrap installs it) can, and is
embedded as a subset.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.stamp import TextStampStyle

STAMP_TEXT = "%(signer)s\n%(ts)s\nNitelikli Elektronik İmza"
TIME_FORMAT = "%d.%m.%Y %H:%M %Z"
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
    Path("/Library/Fonts/DejaVuSans.ttf"),
    Path("C:/Windows/Fonts/DejaVuSans.ttf"),
)
BOX_WIDTH = 220.0
BOX_HEIGHT = 64.0
MARGIN = 36.0


class FontMissingError(Exception):
    """No font that can draw Turkish letters was found (FONT_CANDIDATES)."""


def font_path() -> Path:
    for candidate in FONT_CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FontMissingError(", ".join(str(c) for c in FONT_CANDIDATES))


def stamp_style() -> TextStampStyle:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    font = GlyphAccumulatorFactory(str(font_path()), font_size=9)
    return TextStampStyle(
        stamp_text=STAMP_TEXT,
        timestamp_format=TIME_FORMAT,
        text_box_style=TextBoxStyle(font=font, font_size=9),
        border_width=1,
        background=None,
    )


def field_spec(name: str, page: int, page_box: tuple[float, float, float, float]) -> SigFieldSpec:
    """A box in the bottom right corner of `page` (0 = first, -1 = last)."""
    from pyhanko.sign.fields import SigFieldSpec

    _, bottom, right, _ = page_box
    x2 = right - MARGIN
    y1 = bottom + MARGIN
    box = (int(x2 - BOX_WIDTH), int(y1), int(x2), int(y1 + BOX_HEIGHT))
    return SigFieldSpec(sig_field_name=name, on_page=page, box=box)

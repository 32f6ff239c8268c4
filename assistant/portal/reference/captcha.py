"""The "Resimdeki Yazı" image: random text drawn as a small noisy PNG, no image library.

A trainee must read it like the real one, so the text is only in the pixels (not in
markup or metadata). Tests read the answer through the key-protected training endpoint
instead (see `app.py`). Glyphs are a 5x7 bitmap font over an alphabet without look-alike
characters (no 0/O, 1/I, 9/g), scaled up, jittered and crossed with noise lines.
"""

from __future__ import annotations

import random
import struct
import zlib

ALPHABET = "2345678ACEFHKMNPRTXY"
LENGTH = 5
SCALE = 4
_GLYPHS: dict[str, tuple[str, ...]] = {
    "2": (" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"),
    "3": ("#### ", "    #", "    #", " ### ", "    #", "    #", "#### "),
    "4": ("   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "),
    "5": ("#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "),
    "6": (" ### ", "#    ", "#    ", "#### ", "#   #", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "),
    "8": (" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "),
    "A": (" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"),
    "C": (" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "),
    "E": ("#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"),
    "F": ("#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "),
    "H": ("#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"),
    "K": ("#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"),
    "M": ("#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #", "#   #", "#   #"),
    "P": ("#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "),
    "R": ("#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "),
    "X": ("#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"),
    "Y": ("#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "),
}
_CELL_W = 7 * SCALE
_WIDTH = LENGTH * _CELL_W + 2 * SCALE
_HEIGHT = 13 * SCALE


def new_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(LENGTH))


def matches(expected: str, typed: str) -> bool:
    """People type captchas in either case and with stray spaces; accept that."""
    return typed.strip().replace(" ", "").upper() == expected


def render_png(text: str, rng: random.Random) -> bytes:
    """Greyscale PNG of `text` with per-glyph vertical jitter and a few noise lines."""
    pixels = [[235] * _WIDTH for _ in range(_HEIGHT)]
    for _ in range(_WIDTH * _HEIGHT // 12):  # speckle
        pixels[rng.randrange(_HEIGHT)][rng.randrange(_WIDTH)] = rng.randrange(150, 220)
    for index, char in enumerate(text):
        x0 = SCALE + index * _CELL_W + rng.randrange(SCALE)
        y0 = SCALE + rng.randrange(4 * SCALE)
        for row, line in enumerate(_GLYPHS[char]):
            for col, bit in enumerate(line):
                if bit == "#":
                    _fill(pixels, x0 + col * SCALE, y0 + row * SCALE, rng.randrange(20, 80))
    for _ in range(3):  # noise lines across the text
        y, slope = rng.randrange(_HEIGHT), rng.uniform(-0.3, 0.3)
        for x in range(_WIDTH):
            yy = int(y + slope * x)
            if 0 <= yy < _HEIGHT:
                pixels[yy][x] = 90
    return _png(pixels)


def _fill(pixels: list[list[int]], x: int, y: int, shade: int) -> None:
    for dy in range(SCALE):
        for dx in range(SCALE):
            pixels[y + dy][x + dx] = shade


def _png(pixels: list[list[int]]) -> bytes:
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)  # filter type 0 per scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

"""The generated captcha PNG and PIN PDF are well-formed files that show their text."""

from __future__ import annotations

import random
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from assistant.portal.reference import captcha
from assistant.portal.reference.pdf import text_pdf


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """A strict reader for what we write: checks signature, CRCs, sizes; returns rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF, kind
        chunks[kind] = body
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 0)
    raw = zlib.decompress(chunks[b"IDAT"])
    assert len(raw) == height * (width + 1)
    rows = [raw[i * (width + 1) + 1 : (i + 1) * (width + 1)] for i in range(height)]
    return width, height, rows


def test_captcha_png_is_valid_and_carries_dark_glyphs() -> None:
    rng = random.Random(1)
    text = captcha.new_text(rng)
    assert len(text) == captcha.LENGTH and set(text) <= set(captcha.ALPHABET)
    width, height, rows = decode_png(captcha.render_png(text, rng))
    dark = sum(1 for row in rows for px in row if px < 80)
    assert width > 100 and height > 30 and dark > 100
    assert text.encode() not in captcha.render_png(text, rng)


def test_different_texts_draw_different_pixels() -> None:
    a = decode_png(captcha.render_png("AAAAA", random.Random(5)))[2]
    b = decode_png(captcha.render_png("77777", random.Random(5)))[2]
    assert a != b


def test_captcha_answers_forgive_case_and_spaces() -> None:
    assert captcha.matches("K7M2P", " k7m 2p ")
    assert not captcha.matches("K7M2P", "K7M2R")


def test_pin_pdf_is_structurally_valid_and_holds_the_text() -> None:
    pdf = text_pdf(["EĞİTİM PORTALI (deneme)", "PIN: 739184", "a\\b"], "PIN Bilgisi")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    startxref = int(re.search(rb"startxref\n(\d+)\n", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[startxref:].startswith(b"xref\n")
    offsets = [int(m) for m in re.findall(rb"(\d{10}) 00000 n ", pdf)]
    assert len(offsets) == 6
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
    length = int(re.search(rb"/Length (\d+)", pdf).group(1))  # type: ignore[union-attr]
    stream = pdf[pdf.index(b"stream\n") + 7 :]
    assert stream[length:].startswith(b"\nendstream")
    assert b"(PIN: 739184) '" in stream and b"(EGITIM PORTALI \\(deneme\\)) '" in stream
    assert b"(a\\\\b) '" in stream


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pin_pdf_reads_back_with_poppler(tmp_path: Path) -> None:
    path = tmp_path / "pin.pdf"
    path.write_bytes(text_pdf(["Kamu SM PIN Bilgisi", "PIN: 739184"], "PIN"))
    out = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "PIN: 739184" in out and "Kamu SM PIN Bilgisi" in out

"""Just enough PNG decoding to tell a real screenshot from a blank one (no Pillow here)."""

from __future__ import annotations

import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel (8-bit only)


def pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """(width, height, samples per pixel, rows of 8-bit samples) of a non-interlaced,
    non-palette 8-bit PNG, such as Chromium's screenshots."""
    assert data[:8] == SIGNATURE, "not a PNG"
    offset, idat, header = 8, bytearray(), b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in CHANNELS and interlace == 0, "unsupported PNG layout"
    step = CHANNELS[colour]
    raw = zlib.decompress(bytes(idat))
    stride = width * step
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, step)
        rows.append(bytes(line))
        previous = line
    return width, height, step, rows


def _unfilter(kind: int, line: bytearray, up: bytearray, step: int) -> None:
    if kind == 0:
        return
    if kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, up, strict=True))
        return
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        above = up[i]
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + above) // 2) & 0xFF
        else:
            corner = up[i - step] if i >= step else 0
            line[i] = (line[i] + _paeth(left, above, corner)) & 0xFF


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def distinct_colours(data: bytes) -> int:
    """How many different pixel values the image holds."""
    _, _, step, rows = pixels(data)
    seen = set()
    for row in rows:
        for i in range(0, len(row), step):
            seen.add(row[i : i + step])
    return len(seen)

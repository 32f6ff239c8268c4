"""Sample PDFs for the demo, the tests and the benchmarks: small, valid, written by hand.

A page of ASCII text in Helvetica and, on request, a filler stream of random bytes so a
file of a given size can be signed and checked (random bytes do not compress, so the
size is what it says). Nothing here is a real document.
"""

from __future__ import annotations

import os
from pathlib import Path

FILLER_CHUNK = 1024 * 1024


def write_sample_pdf(
    path: Path, text: str = "NES Asistani deneme belgesi", *, size: int = 0, pages: int = 1
) -> Path:
    """A PDF with `pages` pages showing `text` (ASCII), at least `size` bytes long."""
    if not text.isascii() or any(c in text for c in "()\\"):
        raise ValueError("sample text must be plain ASCII without ( ) \\")
    first_page = 4
    page_ids = [first_page + 2 * i for i in range(pages)]
    filler_id = first_page + 2 * pages
    with path.open("wb") as out:
        offsets: dict[int, int] = {}

        def obj(number: int, body: bytes) -> None:
            offsets[number] = out.tell()
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        kids = b" ".join(b"%d 0 R" % n for n in page_ids)
        obj(2, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages))
        obj(3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        for index, number in enumerate(page_ids):
            line = f"{text} - {index + 1}/{pages}".encode("ascii")
            stream = b"BT /F1 14 Tf 72 760 Td (" + line + b") Tj ET"
            obj(
                number,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (number + 1),
            )
            obj(number + 1, b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        last = filler_id - 1
        filler = max(0, size - out.tell() - 512)
        if filler:
            last = filler_id
            offsets[filler_id] = out.tell()
            out.write(b"%d 0 obj\n<< /Length %d >>\nstream\n" % (filler_id, filler))
            remaining = filler
            while remaining:
                chunk = min(remaining, FILLER_CHUNK)
                out.write(os.urandom(chunk))
                remaining -= chunk
            out.write(b"\nendstream\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (last + 1))
        for number in range(1, last + 1):
            out.write(b"%010d 00000 n \n" % offsets[number])
        trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        out.write(trailer % (last + 1, xref))
    return path

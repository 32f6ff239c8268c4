"""The "Parolalarımı Kaydet" PDF: one A4 page of text, written by hand (no PDF library).

A PDF this simple needs five objects and a cross-reference table; pulling in a PDF
library for it would be the bigger risk. The standard Helvetica font has no ğ, ş, ı, İ
(WinAnsi), so Turkish letters are folded to their ASCII look-alikes.
"""

from __future__ import annotations

_FOLD = str.maketrans("ğĞşŞıİçÇöÖüÜâÂ—–•", "gGsSiIcCoOuUaA--*")
_LEADING = 16
_TOP = 800
_LEFT = 56


def text_pdf(lines: list[str], title: str) -> bytes:
    """A valid single-page PDF 1.4 showing `lines` top-down in 11 pt Helvetica."""
    ops = [f"BT /F1 11 Tf {_LEADING} TL {_LEFT} {_TOP} Td"]
    ops += [f"({_escape(line)}) '" for line in lines]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (%s) /Producer (NES Asistani egitim portali) >>" % _escape(title).encode(),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (len(objects) + 1, len(objects))
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _escape(text: str) -> str:
    folded = text.translate(_FOLD).encode("ascii", "replace").decode("ascii")
    return folded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

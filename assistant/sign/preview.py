"""What the person is about to sign, shown before the confirmation step asks for it:
the file's name and size, the page count of a PDF, its SHA-256 in short form, and
whether it already carries signatures. Read in chunks; nothing is sent anywhere.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024
SHORT_HASH_GROUPS = 4
"""`3f2a 9c01 77de 5b40`: enough for the person to compare with what the sender says."""


@dataclass(frozen=True)
class DocumentPreview:
    name: str
    size: int
    sha256: str
    is_pdf: bool
    pages: int | None
    """None for a file that is not a PDF, or a PDF whose pages cannot be counted."""
    signatures: int
    """Signatures a PDF already carries (a new one is added after them)."""
    encrypted: bool

    @property
    def sha256_short(self) -> str:
        return " ".join(self.sha256[i : i + 4] for i in range(0, 4 * SHORT_HASH_GROUPS, 4))


def describe_document(path: Path) -> DocumentPreview:
    """Raises OSError (FileNotFoundError, PermissionError) when the file cannot be read."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    is_pdf = b"%PDF-" in head
    pages, signatures, encrypted = _pdf_facts(path) if is_pdf else (None, 0, False)
    return DocumentPreview(
        path.name, size, digest.hexdigest(), is_pdf, pages, signatures, encrypted
    )


def _pdf_facts(path: Path) -> tuple[int | None, int, bool]:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            if reader.encrypted:
                return None, 0, True
            pages = int(reader.root["/Pages"]["/Count"])
            return pages, len(reader.embedded_regular_signatures), False
    except (PdfError, KeyError, TypeError, ValueError):
        return None, 0, False

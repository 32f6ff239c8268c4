"""Where a signed copy goes: its name says so, it never replaces a file, and a failed
write or check leaves nothing behind."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import pytest

from assistant.sign.output import OutputForm, candidate_names, write_beside


def names(source: Path, form: OutputForm, count: int = 3) -> list[str]:
    found = candidate_names(source, form)
    return [next(found).name for _ in range(count)]


def test_names_say_signed_and_count_up() -> None:
    pdf = Path("/belgeler/dilekce.pdf")
    assert names(pdf, OutputForm.PADES) == [
        "dilekce-imzali.pdf", "dilekce-imzali-2.pdf", "dilekce-imzali-3.pdf",
    ]  # fmt: skip
    docx = Path("/belgeler/rapor.docx")
    assert names(docx, OutputForm.DETACHED) == [
        "rapor.docx.p7s", "rapor-2.docx.p7s", "rapor-3.docx.p7s",
    ]  # fmt: skip
    assert names(docx, OutputForm.ATTACHED, 2) == ["rapor.docx.imz", "rapor-2.docx.imz"]


def test_the_original_is_never_a_candidate() -> None:
    already = Path("/belgeler/dilekce-imzali.pdf")
    assert already.name not in names(already, OutputForm.PADES)


def test_existing_names_are_skipped_and_kept(tmp_path: Path) -> None:
    source = tmp_path / "dilekce.pdf"
    source.write_bytes(b"%PDF-1.7 original")
    taken = tmp_path / "dilekce-imzali.pdf"
    taken.write_bytes(b"somebody else's file")

    def write(handle: BinaryIO) -> None:
        handle.write(b"%PDF-1.7 signed")

    written = write_beside(source, OutputForm.PADES, write, lambda path: True)
    assert written == tmp_path / "dilekce-imzali-2.pdf"
    assert written.read_bytes() == b"%PDF-1.7 signed"
    assert taken.read_bytes() == b"somebody else's file"
    assert source.read_bytes() == b"%PDF-1.7 original"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dilekce-imzali-2.pdf", "dilekce-imzali.pdf", "dilekce.pdf",
    ]  # fmt: skip


def test_a_failed_check_or_write_leaves_nothing(tmp_path: Path) -> None:
    source = tmp_path / "dilekce.pdf"
    source.write_bytes(b"%PDF-1.7")
    assert write_beside(source, OutputForm.PADES, lambda h: h.write(b"x"), lambda p: False) is None

    def broken(handle: BinaryIO) -> None:
        handle.write(b"half")
        raise io.UnsupportedOperation("card pulled")

    with pytest.raises(io.UnsupportedOperation):
        write_beside(source, OutputForm.PADES, broken, lambda p: True)
    assert [p.name for p in tmp_path.iterdir()] == ["dilekce.pdf"]


def test_the_copy_is_as_readable_as_the_original(tmp_path: Path) -> None:
    source = tmp_path / "rapor.docx"
    source.write_bytes(b"PK")
    source.chmod(0o640)
    written = write_beside(source, OutputForm.DETACHED, lambda h: h.write(b"0"), lambda p: True)
    assert written is not None and written.stat().st_mode & 0o777 == 0o640


def test_preview_of_a_pdf_and_of_another_file(tmp_path: Path) -> None:
    import hashlib

    from assistant.demo.documents import write_sample_pdf
    from assistant.sign.preview import describe_document

    pdf = write_sample_pdf(tmp_path / "dilekce.pdf", pages=3)
    shown = describe_document(pdf)
    full = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert (shown.name, shown.size, shown.pages, shown.signatures) == (
        "dilekce.pdf", pdf.stat().st_size, 3, 0,
    )  # fmt: skip
    assert shown.sha256 == full and shown.sha256_short == " ".join(
        full[i : i + 4] for i in range(0, 16, 4)
    )
    other = tmp_path / "rapor.docx"
    other.write_bytes(b"PK\x03\x04")
    assert describe_document(other).pages is None and not describe_document(other).is_pdf

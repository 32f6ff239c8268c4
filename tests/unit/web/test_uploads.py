"""The upload folder: names made safe, one private folder per file, the signed copy
offered once, and nothing left after `clear`."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.channels.web.uploads import MAX_NAME_CHARS, Uploads, safe_name


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("dilekce.pdf", "dilekce.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Belgeler\\rapor.docx", "rapor.docx"),
        ("dilekçe (son).pdf", "dilekçe _son_.pdf"),
        (".bashrc", "bashrc"),
        ("a;rm -rf $HOME.pdf", "a_rm -rf _HOME.pdf"),
        ("", "belge"),
        ("..", "belge"),
    ],
)
def test_safe_name(given: str, kept: str) -> None:
    assert safe_name(given) == kept


def test_a_long_name_keeps_its_extension() -> None:
    name = safe_name("x" * 300 + ".pdf")
    assert len(name) == MAX_NAME_CHARS and name.endswith(".pdf")


def test_each_upload_gets_a_private_folder_and_the_copy_beside_it_is_offered_once(
    tmp_path: Path,
) -> None:
    uploads = Uploads(tmp_path / "uploads")
    first, second = uploads.begin("a.pdf"), uploads.begin("a.pdf")
    assert first.parent != second.parent
    assert (first.parent.stat().st_mode & 0o777) == 0o700
    first.write_bytes(b"%PDF")
    (first.parent / ".nes-asistan-x.part").write_bytes(b"half")  # not a result yet
    assert uploads.new_files() == []
    (first.parent / "a-imzali.pdf").write_bytes(b"%PDF signed")
    [offered] = uploads.new_files()
    assert offered.url == f"/download/{first.parent.name}/a-imzali.pdf"
    assert uploads.new_files() == []
    assert uploads.find(first.parent.name, "a-imzali.pdf") == first.parent / "a-imzali.pdf"
    assert uploads.find(first.parent.name, "a.pdf") is None  # the upload itself is not served
    assert uploads.find(second.parent.name, "a-imzali.pdf") is None
    uploads.clear()
    assert not (tmp_path / "uploads").exists()

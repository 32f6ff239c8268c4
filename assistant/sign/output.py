"""Where a signed copy goes: beside the original, under a name that says so, atomically.

`dilekce.pdf` → `dilekce-imzali.pdf` (then `dilekce-imzali-2.pdf`, …); a detached CAdES
signature of `rapor.docx` → `rapor.docx.p7s`, an attached one → `rapor.docx.imz` (the
name Turkish signing tools use: the content's own name plus `.imz`). The copy is
written to a hidden temporary file in the same folder, checked, and only then given its
name with a hard link, which fails instead of overwriting: the original and any file
already there are never touched, and a failure (card pulled, check failed, disk full)
leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
import enum
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

SIGNED_MARK = "imzali"
MAX_CANDIDATES = 999


class OutputForm(enum.StrEnum):
    PADES = "pades"
    """The signed PDF: `<stem>-imzali.pdf`."""
    DETACHED = "detached"
    """A CAdES signature beside the content: `<name>.p7s`."""
    ATTACHED = "attached"
    """CAdES with the content inside: `<name>.imz`."""


def candidate_names(source: Path, form: OutputForm) -> Iterator[Path]:
    """The names to try, in order; never the source itself."""
    folder = source.parent
    for number in range(1, MAX_CANDIDATES + 1):
        counter = "" if number == 1 else f"-{number}"
        if form is OutputForm.PADES:
            name = f"{source.stem}-{SIGNED_MARK}{counter}{source.suffix or '.pdf'}"
        else:
            extension = ".p7s" if form is OutputForm.DETACHED else ".imz"
            stem, suffix = (source.stem, source.suffix) if counter else (source.name, "")
            name = f"{stem}{counter}{suffix}{extension}"
        candidate = folder / name
        if candidate != source:
            yield candidate


class NoFreeNameError(Exception):
    """Every candidate name is taken (or the folder refuses new files)."""


def write_beside(
    source: Path,
    form: OutputForm,
    write: Callable[[BinaryIO], None],
    check: Callable[[Path], bool],
) -> Path | None:
    """Let `write` fill a temporary file beside `source`, `check` it, then name it.

    Returns the final path, or None when `check` said no (nothing is left behind). An
    exception from `write` or `check` removes the temporary file and propagates.
    """
    fd, temporary = tempfile.mkstemp(dir=source.parent, prefix=".nes-asistan-", suffix=".part")
    tmp = Path(temporary)
    try:
        with os.fdopen(fd, "w+b") as handle:  # pyHanko reads its output back to hash it
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_permissions(source, tmp)
        if not check(tmp):
            return None
        return _publish(tmp, candidate_names(source, form))
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _publish(tmp: Path, names: Iterator[Path]) -> Path:
    for candidate in names:
        try:
            os.link(tmp, candidate)
        except FileExistsError:
            continue
        except OSError:
            # No hard links here (FAT/exFAT sticks): reserve the name exclusively, then
            # move the finished file onto the reservation in one rename.
            try:
                reserved = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            os.close(reserved)
            os.replace(tmp, candidate)
        _sync_folder(candidate.parent)
        return candidate
    raise NoFreeNameError(str(tmp.parent))


def _copy_permissions(source: Path, target: Path) -> None:
    """The signed copy is as readable as the original was (mkstemp makes it 0600)."""
    with contextlib.suppress(OSError):
        os.chmod(target, source.stat().st_mode & 0o777)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

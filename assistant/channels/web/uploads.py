"""Files the person gives the web chat: kept on this machine, in a private folder.

The sign and verify flows read a path on this machine, as in the terminal. A browser
cannot hand over a path, so the page sends the file's bytes over the loopback connection
and the server keeps them under the data dir (`uploads/`, 0700), one fresh folder per
file whose random name is also the download capability; the flow then gets that path and
runs unchanged, writing the signed copy beside the upload. Files that appear in an upload
folder afterwards (the signed copy) are offered for download from the same server.

Nothing here outlives the conversation: the folders go when the page's socket closes,
and whatever a crash left behind goes when the web chat starts again.
"""

from __future__ import annotations

import re
import secrets
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # a 50 MB PDF is what the sign benchmark measures
MAX_NAME_CHARS = 120
FALLBACK_NAME = "belge"
_UNSAFE = re.compile(r"[^\w.\- ]", re.UNICODE)


class TooLargeError(Exception):
    """The upload is over `MAX_UPLOAD_BYTES`; nothing of it is kept."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"upload over {limit} bytes")
        self.limit = limit


def safe_name(name: str) -> str:
    """The file's own name without folders, control or shell characters, or a leading dot:
    "../../etc/passwd" -> "passwd", "dilekçe (son).pdf" -> "dilekçe _son_.pdf"."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if len(cleaned) > MAX_NAME_CHARS:
        stem, dot, extension = cleaned.rpartition(".")
        keep = MAX_NAME_CHARS - len(dot + extension)
        cleaned = (stem[:keep] + dot + extension) if dot and keep > 0 else cleaned[:MAX_NAME_CHARS]
    return cleaned or FALLBACK_NAME


@dataclass(frozen=True)
class Download:
    """A file made beside an upload (the signed copy), with the URL that serves it."""

    name: str
    url: str


class Uploads:
    """The private upload folders of one web chat server."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._offered: set[Path] = set()
        self._uploaded: set[Path] = set()

    def clear(self) -> None:
        """Delete every upload and every copy made beside one."""
        shutil.rmtree(self.root, ignore_errors=True)
        self._offered.clear()
        self._uploaded.clear()

    def begin(self, name: str) -> Path:
        """A fresh 0700 folder, and the path the upload called `name` will have in it."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.root.chmod(0o700)
        folder = self.root / secrets.token_urlsafe(16)
        folder.mkdir(mode=0o700)
        path = folder / safe_name(name)
        self._uploaded.add(path)
        return path

    def discard(self, path: Path) -> None:
        """Drop an upload that did not complete, folder and all."""
        self._uploaded.discard(path)
        shutil.rmtree(path.parent, ignore_errors=True)

    def new_files(self) -> list[Download]:
        """Files that appeared beside an upload since the last call: offered once each."""
        found: list[Download] = []
        for upload in sorted(self._uploaded):
            if not upload.parent.is_dir():
                continue
            for path in sorted(upload.parent.iterdir()):
                if path in self._uploaded or path in self._offered or not path.is_file():
                    continue
                if path.name.startswith("."):  # a half-written temporary, not a result
                    continue
                self._offered.add(path)
                found.append(Download(path.name, f"/download/{path.parent.name}/{path.name}"))
        return found

    def find(self, folder: str, name: str) -> Path | None:
        """The offered file `folder`/`name`, if it is one; None for anything else."""
        for path in self._offered:
            if path.parent.name == folder and path.name == name and path.is_file():
                return path
        return None

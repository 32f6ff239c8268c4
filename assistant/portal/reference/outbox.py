"""The training "phone": SMS messages the portal sends, appended to a JSON-lines file.

On the real portal the SMS Onay Kodu reaches the holder's mobile. Here it lands in a
file (one JSON object a line) that the `/outbox` page shows to a trainee and that tests
read with `latest_code`. The file *is* the phone: it holds the codes by design, and is
kept apart from the state file and the server log, which must never contain them.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sms:
    sent_at: str
    to: str
    text: str
    code: str


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, to: str, code: str, text: str, now: dt.datetime) -> None:
        line = json.dumps(asdict(Sms(now.isoformat(), to, text, code)), ensure_ascii=False)
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line + "\n")

    def messages(self) -> list[Sms]:
        """Oldest first; an absent file is an empty phone."""
        if not self.path.exists():
            return []
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        return [Sms(**json.loads(line)) for line in lines if line.strip()]


def latest_code(outbox_path: Path, mobile: str | None = None) -> str | None:
    """The newest SMS Onay Kodu (for one number if given): how tests "read the phone"."""
    for sms in reversed(Outbox(outbox_path).messages()):
        if mobile is None or sms.to == mobile:
            return sms.code
    return None

"""Agent logs: JSON lines in the user log dir, never on the person's screen.

A traceback in the chat would frighten and confuse; in the log file it helps the
helpdesk. Secrets cannot reach a log line by construction (`Secret` formats as a mask),
and as a last line of defence anything shaped like a TC Kimlik No is masked here.
`ReplyScrubber` goes further for the one text that can slip into an exception message:
what the person typed. While a reply is being handled, every record written (its message
and its traceback) has that text masked, however the exception quoted it.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
from pathlib import Path

from assistant.flow.replies import in_flight
from assistant.paths import log_dir
from assistant.pki.tckn import mask_in_text
from assistant.secret import MASK

LOG_NAME = "agent.log"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_in_text(record.getMessage()),
        }
        if record.exc_text or record.exc_info:
            entry["exception"] = mask_in_text(
                record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
            )
        return json.dumps(entry, ensure_ascii=False)


# Shorter replies or words ("1", "evet") are no secret, and masking them would garble
# every line number of a traceback.
MIN_SCRUBBED_CHARS = 4


class ReplyScrubber(logging.Filter):
    """Masks the replies being handled right now in every record, traceback included."""

    def filter(self, record: logging.LogRecord) -> bool:
        texts = in_flight()
        if not texts:
            return True
        forms = _forms(texts)
        record.msg, record.args = _scrub(record.getMessage(), forms), None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _scrub(formatted, forms)
        return True


def _forms(texts: tuple[str, ...]) -> list[str]:
    """Every way a reply can show up in a message: as typed, stripped, word by word, and
    escaped as repr(), ascii() or JSON would write it. Longest first."""
    forms: set[str] = set()
    for text in texts:
        for part in (text, text.strip(), *text.split()):
            if len(part.strip()) >= MIN_SCRUBBED_CHARS:
                forms.update({part, repr(part)[1:-1], ascii(part)[1:-1], json.dumps(part)[1:-1]})
    return sorted(forms, key=len, reverse=True)


def _scrub(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, MASK)
    return text


def configure(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Send every log record to a rotating JSON-lines file and nowhere else; its path."""
    path = (directory or log_dir()) / LOG_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(JsonLines())
    handler.addFilter(ReplyScrubber())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return path

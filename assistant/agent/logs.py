"""Agent logs: JSON lines in the user log dir, never on the person's screen.

A traceback in the chat would frighten and confuse; in the log file it helps the
helpdesk. Secrets cannot reach a log line by construction (`Secret` formats as a mask),
and as a last line of defence anything shaped like a TC Kimlik No is masked here.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
from pathlib import Path

from assistant.paths import log_dir
from assistant.pki.tckn import mask_in_text

LOG_NAME = "agent.log"


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_in_text(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Send every log record to a rotating JSON-lines file and nowhere else; its path."""
    path = (directory or log_dir()) / LOG_NAME
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
    )
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.captureWarnings(True)
    return path

"""Agent logs: JSON lines in the user log dir, never on the person's screen.

A traceback in the chat would frighten and confuse; in the log file it helps the
helpdesk. Secrets cannot reach a log line by construction (`Secret` formats as a mask),
and as a last line of defence anything shaped like a TC Kimlik No is masked here.
`ReplyScrubber` (assistant.flow.scrubbing, shared with the helpdesk server) goes further
for the one text that can slip into an exception message: what the person typed. While a
reply is being handled, every record written (its message and its traceback) has that
text masked, however the exception quoted it.

One writer per file: each process logs to a file of its own (`agent.log`, `web.log`,
`terminal.log`; a second terminal at the same time gets `terminal-2.log`), held by an
exclusive lock for the process's life. Two processes rotating one file lose records
(the other one keeps writing into the renamed or deleted file); one owner never does.
"""

from __future__ import annotations

import fcntl
import json
import logging
import logging.handlers
import os
from pathlib import Path
from typing import IO

from assistant.flow.scrubbing import ReplyScrubber
from assistant.paths import log_dir
from assistant.pki.tckn import mask_in_text

MAX_BYTES = 1_000_000
BACKUPS = 3  # a file and its backups hold at most MAX_BYTES * (BACKUPS + 1)
SLOTS = 8  # same-named processes at once before one falls back to a per-pid file
_held: dict[Path, IO[bytes]] = {}  # log file -> its lock, open while this process lives


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


def own_file(directory: Path, name: str) -> Path:
    """A log file in `directory` that no other living process writes: `name`.log, else
    `name`-2.log … `name`-SLOTS.log, else `name`-PID.log. The claim is an exclusive
    flock on a `.lock` beside it, released by the kernel when the process ends."""
    for file_name in [f"{name}.log"] + [f"{name}-{i}.log" for i in range(2, SLOTS + 1)]:
        path = directory / file_name
        if path in _held:
            return path
        lock = (directory / f"{file_name}.lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _held[path] = lock
        return path
    return directory / f"{name}-{os.getpid()}.log"  # no other living process has our pid


def configure(
    name: str = "agent", directory: Path | None = None, level: int = logging.INFO
) -> Path:
    """Send every log record to this process's own rotating JSON-lines file (see
    `own_file`) and nowhere else; its path. `name` says which process it is."""
    path = own_file(directory or log_dir(), name)
    for other in [held for held in _held if held != path]:
        _held.pop(other).close()  # a file this process no longer writes
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
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

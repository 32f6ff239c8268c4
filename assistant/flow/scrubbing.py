"""Log records scrubbed of the replies being handled: the last line of defence for what
a person typed, which is the one text that can slip into an exception message.

The engine marks each reply while it handles it (`replies.handling`); `ReplyScrubber`, a
filter on every log handler of the agent and of the helpdesk server, masks those texts
in each record written meanwhile, its traceback included, however an exception quoted it.
"""

from __future__ import annotations

import json
import logging

from assistant.flow.replies import in_flight
from assistant.secret import MASK

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

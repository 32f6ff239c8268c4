"""Turkish mobile numbers and e-mail addresses: one rule for the chat and the portal.

The conversation checks what a person types before sending it; the training portal
checks what it receives. Both must agree, or a number the chat accepted would be refused
by the portal (or the other way round).
"""

from __future__ import annotations

import re

_MOBILE = re.compile(r"(?:\+90|0)?(5\d{9})")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")


def normal_mobile(text: str) -> str | None:
    """`+90 (532) 123-45-67` → `05321234567`; None when it is not a Turkish mobile number."""
    match = _MOBILE.fullmatch(re.sub(r"[\s\-()]", "", text))
    return "0" + match.group(1) if match else None


def is_email(text: str) -> bool:
    return _EMAIL.fullmatch(text.strip()) is not None

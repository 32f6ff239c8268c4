"""TC Kimlik No (Turkish national ID number): checksum and masking.

Kept in one place so the certificate parser and the conversation validators agree on
what a valid number is. The number identifies a person, so anything shown or logged
uses the masked form.
"""

from __future__ import annotations

import re

_SHAPE = re.compile(r"[1-9][0-9]{10}")


def check_digits(first_nine: str) -> str:
    """Digits 10 and 11 of a TC Kimlik No, from its first nine (rules in DOMAIN.md)."""
    d = [int(c) for c in first_nine]
    odd = d[0] + d[2] + d[4] + d[6] + d[8]
    even = d[1] + d[3] + d[5] + d[7]
    d10 = (7 * odd - even) % 10  # Python's % is already non-negative
    return f"{d10}{(sum(d) + d10) % 10}"


def is_valid_tckn(value: str) -> bool:
    """11 digits, first not 0, and both check digits right."""
    return bool(_SHAPE.fullmatch(value)) and value[9:] == check_digits(value[:9])


def mask_tckn(value: str) -> str:
    """`12345678950` → `123******50`: enough for the holder to recognise, not to reuse."""
    if len(value) != 11:
        return "*" * len(value)
    return f"{value[:3]}{'*' * 6}{value[-2:]}"


_IN_TEXT = re.compile(r"(?<!\d)[1-9]\d{10}(?!\d)")


def mask_in_text(text: str) -> str:
    """Every number shaped like a TC Kimlik No (checksum or not) masked: for logs, where
    a number that merely looks like one is better hidden than shown."""
    return _IN_TEXT.sub(lambda match: mask_tckn(match[0]), text)


def tckn_from_subject_serial(serial: str) -> str | None:
    """The TC Kimlik No inside a subject serialNumber, or None.

    Turkish certificates put the bare 11 digits there; ETSI EN 319 412-1 style values
    use a prefix (`PNOTR-12345678950`, `IDCTR-…`), which some providers follow.
    """
    candidate = serial.strip()
    for prefix in ("PNOTR-", "IDCTR-"):
        if candidate.upper().startswith(prefix):
            candidate = candidate[len(prefix) :]
            break
    return candidate if is_valid_tckn(candidate) else None

"""Answer-to-Reset parsing: just enough ISO 7816-3 to find the historical bytes.

Card recognition keys on the historical bytes (AKİS carries "UEKAE", PIV cards the PIV
AID), and those sit behind a variable run of interface bytes, so the structure has to be
walked. A mute or half-inserted chip can deliver a truncated ATR; that is reported as
`complete=False` instead of raising, because "the card answers garbage" is itself a fact
the assistant must tell the user about.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from dataclasses import dataclass


def parse_hex(text: str) -> bytes:
    """ "3B 9F 96 …", "3B:9F:…" or "3b9f…" → bytes (the forms ATR lists and logs use)."""
    cleaned = "".join(ch for ch in text if ch not in " :\t\n\r")
    return bytes.fromhex(cleaned)


def format_hex(data: bytes) -> str:
    """The spaced upper-case form pcsc-tools' smartcard_list.txt uses."""
    return data.hex(" ").upper()


@dataclass(frozen=True)
class Atr:
    raw: bytes
    historical: bytes
    complete: bool
    """False when the ATR ends before its declared interface/historical bytes."""
    checksum_ok: bool | None
    """None when no TCK is present (T=0 only); False points at a transmission fault."""

    @property
    def hex(self) -> str:
        return format_hex(self.raw)

    @classmethod
    def parse(cls, data: bytes | Iterable[int]) -> Atr:
        raw = bytes(data)
        if len(raw) < 2 or raw[0] not in (0x3B, 0x3F):
            return cls(raw=raw, historical=b"", complete=False, checksum_ok=None)
        historical_count = raw[1] & 0x0F
        offset = 1  # index of the current T0/TDi byte
        protocols: set[int] = set()
        indicator: int | None = raw[1]
        while indicator is not None:
            present = bin(indicator >> 4).count("1")
            has_td = bool(indicator & 0x80)
            next_td_index = offset + present
            if next_td_index >= len(raw) and present:
                return cls(raw=raw, historical=b"", complete=False, checksum_ok=None)
            if offset != 1:
                protocols.add(indicator & 0x0F)
            offset = next_td_index
            indicator = raw[offset] if has_td else None
        start = offset + 1
        historical = raw[start : start + historical_count]
        complete = len(historical) == historical_count
        needs_tck = bool(protocols - {0})
        tck_index = start + historical_count
        checksum_ok: bool | None = None
        if needs_tck and len(raw) > tck_index:
            checksum_ok = functools.reduce(operator.xor, raw[1 : tck_index + 1], 0) == 0
        elif needs_tck:
            complete = False
        return cls(raw=raw, historical=historical, complete=complete, checksum_ok=checksum_ok)

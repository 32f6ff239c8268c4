"""ATRs the virtual card can present, with the T=1 check byte verified.

PIV-style is what OpenSC binds its PIV-II driver to; the AKİS and TCKK ATRs come
from pcsc-tools' smartcard_list.txt (see DOMAIN.md) so card recognition can be
tested against the exact bytes real Kamu SM cards send.
"""

from __future__ import annotations

from functools import reduce

ATRS: dict[str, bytes] = {
    "piv": bytes.fromhex("3B8B800180F9A00000030800001000C8"),
    # AKiS v1.3 on infineon chip
    "akis": bytes.fromhex("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B"),
    # TCKK (eID). pcsc-tools also lists the same bytes ending in 90, whose check byte is
    # wrong; 9B is the consistent one (compare the 96/9A test-card entry).
    "tckk": bytes.fromhex("3B 9F 97 81 31 FE 45 80 65 54 43 12 21 08 31 C0 73 F6 21 80 81 05 9B"),
}


def check_byte_ok(atr: bytes) -> bool:
    """True when the TCK (XOR of T0..last byte) is zero, as ISO 7816-3 requires for T=1."""
    return reduce(lambda a, b: a ^ b, atr[1:], 0) == 0


def atr_for(name: str) -> bytes:
    """The ATR called `name` ("piv", "akis", "tckk"); KeyError lists the choices."""
    try:
        return ATRS[name]
    except KeyError:
        raise KeyError(f"unknown ATR {name!r}; choose from {sorted(ATRS)}") from None

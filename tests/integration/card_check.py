"""The card's real state, read with tools we did not write: pkcs11-tool and the rig's card.

A test that says "the chat told the truth" compares the chat's words with these, never
with what the assistant itself believes. Beware: a login with a wrong PIN spends a try, so
`login` is only ever called with the PIN the virtual card really holds.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from assistant.demo.virtual_card import VirtualCard


@dataclass(frozen=True)
class TokenFlags:
    """What `pkcs11-tool -L` says of the token in one reader."""

    line: str

    @property
    def final_try(self) -> bool:
        return "user PIN final try" in self.line

    @property
    def locked(self) -> bool:
        return "user PIN locked" in self.line


def _tool(module: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pkcs11-tool", "--module", str(module), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def slot_of(module: Path, card: VirtualCard) -> tuple[str, str]:
    """(slot id, the `-L` block of that slot) for the card's reader."""
    listing = _tool(module, "-L").stdout
    blocks = re.split(r"\n(?=Slot \d+ )", listing)
    for block in blocks:
        head = block.splitlines()[0] if block else ""
        if card.reader is not None and head.rstrip().endswith(card.reader):
            return head.split("(")[1].split(")")[0], block
    raise AssertionError(f"no slot for {card.reader!r} in:\n{listing}")


def token_flags(module: Path, card: VirtualCard) -> TokenFlags:
    _, block = slot_of(module, card)
    flags = next((line for line in block.splitlines() if "token flags" in line), "")
    assert flags, block
    return TokenFlags(flags)


def login(module: Path, card: VirtualCard, pin: str) -> bool:
    """`pkcs11-tool --login --pin PIN -O` on the card's slot succeeded."""
    slot, _ = slot_of(module, card)
    return _tool(module, "--slot", slot, "--login", "--pin", pin, "-O").returncode == 0

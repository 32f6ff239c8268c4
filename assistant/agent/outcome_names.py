"""The names flows branch on, for what the card and the PKI report: one rule, no tables.

Each operation's outcomes are a `StrEnum` whose member *names* are the domain's member
names (`OutcomeKind.PIN_INCORRECT` → `PinOutcome.PIN_INCORRECT`, value "wrong_pin") and
whose *values* are what the flows call them. `named` maps one to the other by that name,
so an action's declared outcomes (the enum) and what it can return are the same list:
a domain result the operation has no name for becomes its `ERROR`, never a name the
contract does not know (an enum without `ERROR` must name every source member).
"""

from __future__ import annotations

import enum
from typing import TypeVar

from assistant.card.outcomes import OutcomeKind

E = TypeVar("E", bound=enum.StrEnum)

# No token in the slot reads, to a flow, as a card that went away.
_ALIASES: dict[enum.Enum, enum.Enum] = {OutcomeKind.NO_TOKEN: OutcomeKind.CARD_REMOVED}


def named(source: enum.Enum, names: type[E]) -> E:
    """`names`' member for `source` (by member name, then by alias), else its ERROR; an
    enum without ERROR names every member of the source (a test walks them all)."""
    members = names.__members__
    for candidate in (source, _ALIASES.get(source), "ERROR"):
        key = candidate.name if isinstance(candidate, enum.Enum) else candidate
        if key is not None and key in members:
            return members[key]
    raise ValueError(f"{names.__name__} has no name for {source!r}")


class PinOutcome(enum.StrEnum):
    """Every PIN-spending card action."""

    OK = "ok"
    PIN_INCORRECT = "wrong_pin"
    LAST_TRY_NEEDS_CONSENT = "last_try"
    PIN_LOCKED = "locked"
    PIN_POLICY = "bad_format"
    CARD_REMOVED = "removed"
    UNKNOWN = "unknown"
    ERROR = "error"


class TokenOutcome(enum.StrEnum):
    """`card.find_token`: whether the module reads this card."""

    OK = "found"
    CARD_REMOVED = "removed"
    MODULE_MISSING = "module_missing"
    MODULE_FAILED = "module_failed"
    TOKEN_NOT_RECOGNISED = "unreadable"
    NO_TOKEN = "unreadable"
    ERROR = "error"


class ReadOutcome(enum.StrEnum):
    """A read from the card (its status): there, gone, or failed."""

    OK = "ok"
    CARD_REMOVED = "removed"
    ERROR = "error"


class CertificateOutcome(enum.StrEnum):
    """`card.certificate`: the signing certificate's `ValidityState`, or why there is none."""

    VALID = "ok"
    RENEWAL_DUE = "expiring"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NONE = "none"
    CARD_REMOVED = "removed"
    ERROR = "error"


class UnlockCardOutcome(enum.StrEnum):
    """The card's half of Kilit Çözme (the portal's half is `portal.api.UnlockOutcome`)."""

    OK = "ok"
    CA_UNBLOCK_NOT_ALLOWED = "not_allowed"
    PUK_LOCKED = "puk_locked"
    LAST_TRY_NEEDS_CONSENT = "puk_last_try"
    PUK_INCORRECT = "puk_rejected"
    PIN_POLICY = "invalid_pin"
    CARD_REMOVED = "removed"
    UNKNOWN = "unknown"
    VERIFY_FAILED = "verify_failed"
    OTHER_CARD = "other_card"
    ERROR = "error"

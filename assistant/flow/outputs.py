"""What a session says and hears, as plain records any channel can render.

The session never formats for a screen: a channel turns an `Output` into terminal lines,
HTML or a Telegram message. Each output carries its message id and params so a channel
(or a test) can identify it regardless of language, and the text already translated.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assistant.i18n.catalog import Translate


class OutputKind(enum.StrEnum):
    TEXT = "text"
    QUESTION = "question"  # free text or a number
    CHOICE = "choice"  # pick one of `choices` (also yes/no questions)
    SECRET_REQUEST = "secret_request"  # input must be hidden; `secret_kind` says which
    CONFIRM_REQUEST = "confirm_request"  # the person must type a phrase / digits
    PROGRESS = "progress"  # an action is running
    HANDOFF = "handoff"  # a person (operator) or a local channel must take over
    LANGUAGE_REQUEST = "language_request"  # pick a language from `choices`
    END = "end"  # the conversation is over; `outcome` says how


class Handoff(enum.StrEnum):
    """Who takes over, on a HANDOFF output (its `outcome`): what a channel acts on."""

    OPERATOR = "operator"  # the person asked for the helpdesk: connect one where there is one
    LOCAL = "local"  # this step runs only on the computer with the card
    FLOW = "flow"  # a flow's handoff step: its own text says where to turn


@dataclass(frozen=True, slots=True)
class OutputChoice:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class OutputPicture:
    """An illustration by name (a channel that shows pictures knows the file) and its
    alt text, already translated; channels without pictures keep to the words."""

    name: str
    alt: str


@dataclass(frozen=True, slots=True)
class Output:
    kind: OutputKind
    message_id: str
    text: str
    params: Mapping[str, str] = field(default_factory=dict)
    choices: tuple[OutputChoice, ...] = ()
    secret_kind: str | None = None
    outcome: str | None = None  # END: how it ended; HANDOFF: a `Handoff`
    picture: OutputPicture | None = None

    def hands_off(self, to: Handoff) -> bool:
        return self.kind is OutputKind.HANDOFF and self.outcome == to


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened outside the conversation, e.g. `card_inserted`."""

    name: str


Translator = Translate
"""(message id, Turkish source text, language) -> the template to show."""

Push = Callable[[list[Output]], None]
"""Where outputs nobody asked for (card events, the helpdesk) go: shown at once."""

"""The engine's state as types: where a session is, what it waits for, what it saves.

A session is a stack of `Frame`s (a caller waits at its call step while the flow it
called runs); `Pending` names an engine question open on top of the flow's own (the
"leave this topic?" question, the language list); a `Checkpoint` is what `geri` goes back
to; a `Snapshot` is everything that survives a restart, with no secret in it. Running a
step gives a `StepResult`: `Continue` to a step (or off the end of the flow), `Wait` on
this one, or `Moved` when the step placed the session itself (a call, an end).

Saved states carry `STATE_VERSION`; `upgrade()` turns any older saved state into the
current shape, so the SQLite store and the Telegram chat store read old rows alike.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON = Any  # values of the context: str, int, float, bool, None, lists and dicts of them

# 1: frames as [flow, step] pairs, history entries with a "stack" key. 2: frames as
# {"flow", "step"} objects, history entries with "frames".
STATE_VERSION = 2


@dataclass(slots=True)
class Frame:
    """One flow on the stack and the step it is at (a caller: its call step)."""

    flow: str
    step: str

    def to_json(self) -> dict[str, str]:
        return {"flow": self.flow, "step": self.step}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Frame:
        return cls(str(data["flow"]), str(data["step"]))


class Pending(enum.StrEnum):
    """An engine question waiting for its answer before the flow's own goes on."""

    CANCEL = "cancel"  # leave the topic (or, at the top, the conversation)?
    EXIT = "exit"  # leave the assistant?
    LANGUAGE = "language"  # which language?


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The position and context before an accepted answer: what `geri` restores (the
    secrets are named only, so the ones typed later can be wiped)."""

    frames: tuple[Frame, ...]
    context: dict[str, JSON]
    secrets: tuple[str, ...]

    def to_json(self) -> dict[str, JSON]:
        return {
            "frames": [frame.to_json() for frame in self.frames],
            "context": copy.deepcopy(self.context),
            "secrets": list(self.secrets),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Checkpoint:
        frames = tuple(Frame.from_json(f) for f in data["frames"])
        return cls(frames, dict(data["context"]), tuple(str(s) for s in data["secrets"]))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a session saves: enough to resume it, never a secret."""

    id: str
    root: str
    language: str
    channel: str
    context: dict[str, JSON]
    frames: tuple[Frame, ...]
    attempts: int = 0
    history: tuple[Checkpoint, ...] = ()
    pending: Pending | None = None
    progressed: bool = False
    ended: bool = False
    outcome: str | None = None
    masked: frozenset[str] = frozenset()
    elsewhere: frozenset[str] = field(default_factory=frozenset)  # SecretKind values

    def to_json(self) -> dict[str, JSON]:
        return {
            "version": STATE_VERSION,
            "id": self.id,
            "root": self.root,
            "language": self.language,
            "channel": self.channel,
            "context": self.context,  # the snapshot's own copy (Session.snapshot)
            "frames": [frame.to_json() for frame in self.frames],
            "attempts": self.attempts,
            "history": [entry.to_json() for entry in self.history],
            "pending": None if self.pending is None else self.pending.value,
            "progressed": self.progressed,
            "ended": self.ended,
            "outcome": self.outcome,
            "masked": sorted(self.masked),
            "elsewhere": sorted(self.elsewhere),
        }

    @classmethod
    def from_json(cls, state: Mapping[str, JSON]) -> Snapshot:
        """The snapshot a saved state describes, upgraded first if it is older."""
        data = upgrade(state)
        return cls(
            id=str(data["id"]),
            root=str(data["root"]),
            language=str(data["language"]),
            channel=str(data["channel"]),
            context=dict(data["context"]),
            frames=tuple(Frame.from_json(f) for f in data["frames"]),
            attempts=int(data["attempts"]),
            history=tuple(Checkpoint.from_json(e) for e in data["history"]),
            pending=None if data["pending"] is None else Pending(data["pending"]),
            progressed=bool(data["progressed"]),
            ended=bool(data["ended"]),
            outcome=data["outcome"],
            masked=frozenset(str(name) for name in data.get("masked", ())),
            elsewhere=frozenset(str(kind) for kind in data.get("elsewhere", ())),
        )


def upgrade(state: Mapping[str, JSON]) -> dict[str, JSON]:
    """A saved state in the current shape (a copy); refuses versions it does not know."""
    data = copy.deepcopy(dict(state))
    version = data.get("version")
    if version == 1:
        data["frames"] = [{"flow": f, "step": s} for f, s in data.pop("stack")]
        data["history"] = [
            {
                "frames": [{"flow": f, "step": s} for f, s in entry["stack"]],
                "context": entry["context"],
                "secrets": entry["secrets"],
            }
            for entry in data["history"]
        ]
        data["version"] = version = 2
    if version != STATE_VERSION:
        raise ValueError(f"unsupported session state version {version!r}")
    return data


@dataclass(frozen=True, slots=True)
class Continue:
    """Go on at `target` (None: the flow ran off its end)."""

    target: str | None


@dataclass(frozen=True, slots=True)
class Wait:
    """The step cannot run now (e.g. the wrong channel, a question asked again)."""


@dataclass(frozen=True, slots=True)
class Moved:
    """The step placed the session itself (a call, a goto, an end, a refusal)."""


StepResult = Continue | Wait | Moved
WAIT = Wait()
MOVED = Moved()

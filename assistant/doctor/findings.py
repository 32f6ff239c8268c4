"""The doctor's typed result: one `Finding` per check, with facts and no sentences.

A finding names its check and a result (`module` / `wrong_architecture`), a status for
scripts and exit codes, a few plain facts for the text placeholders, and the id of the
fix to show. Words live in `texts`, so the same finding can be said in any language and
written into a support report without any free text the checks made up.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

FactValue = str | int | bool | None
"""Plain values only: the report can scrub and serialise them without knowing objects."""


class Status(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    """Not checked because an earlier check failed (`facts["after"]` names it)."""


@dataclass(frozen=True)
class Finding:
    check: str
    """The check's id: "pcsc", "module", "pin", ..."""
    result: str
    """What the check found, e.g. "not_running"; text id `doctor.<check>.<result>`."""
    status: Status
    facts: Mapping[str, FactValue] = field(default_factory=dict)
    fix: str | None = None
    """Fix id; its text is `doctor.fix.<fix>`."""

    @property
    def text_id(self) -> str:
        return (
            "doctor.skipped" if self.status is Status.SKIP else f"doctor.{self.check}.{self.result}"
        )


EXIT_OK = 0
EXIT_WARN = 1
EXIT_FAIL = 2


def exit_code(findings: Iterable[Finding]) -> int:
    """0 all ok, 1 warnings, 2 failures (a skip always follows a failure)."""
    statuses = {f.status for f in findings}
    if statuses & {Status.FAIL, Status.SKIP}:
        return EXIT_FAIL
    if Status.WARN in statuses:
        return EXIT_WARN
    return EXIT_OK

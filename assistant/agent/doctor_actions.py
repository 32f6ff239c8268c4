"""`doctor.run`: the "Sorun giderme" step, the same checks as `nes-asistan doctor`.

The findings come back already worded in the person's language (the doctor has its own
texts); the flow only shows them and offers the helpdesk when something is broken. The
checks ask the agent's own card service (its picture, its open token), so the step
neither starts a second card monitor nor loads the module again.
"""

from __future__ import annotations

from assistant.card.service import CardService
from assistant.flow.actions import ActionResult, action

OUTCOMES = ("ok", "warnings", "problems")


class DoctorActions:
    """Sorun giderme inside a conversation, on the agent's own card service."""

    def __init__(self, card: CardService) -> None:
        self.card = card

    @action("doctor.run", outcomes=OUTCOMES, inputs={"language": str}, outputs={"summary": str})
    def run(self, language: str) -> ActionResult:
        from assistant.doctor.checks import Doctor
        from assistant.doctor.report import build_report, to_text
        from assistant.i18n.catalog import translator

        run = Doctor(card=self.card).run()
        report = build_report(run, language=language, translate=translator((language,)))
        outcome = OUTCOMES[min(report.exit_code, 2)]
        return ActionResult(outcome, {"summary": to_text(report, details=False).strip()})

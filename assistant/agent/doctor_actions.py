"""`doctor.run`: the "Sorun giderme" step, the same checks as `nes-asistan doctor`.

The findings come back already worded in the person's language (the doctor has its own
texts); the flow only shows them and offers the helpdesk when something is broken.
"""

from __future__ import annotations

from assistant.flow.actions import ActionResult, action

OUTCOMES = ("ok", "warnings", "problems")


@action("doctor.run", outcomes=OUTCOMES, inputs={"language": str}, outputs={"summary": str})
def run_doctor(language: str) -> ActionResult:
    from assistant.doctor.checks import Doctor
    from assistant.doctor.report import build_report, to_text
    from assistant.i18n.catalog import translator

    report = build_report(Doctor().run(), language=language, translate=translator((language,)))
    outcome = OUTCOMES[min(report.exit_code, 2)]
    return ActionResult(outcome, {"summary": to_text(report, details=False).strip()})

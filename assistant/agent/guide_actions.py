"""`guide.save`: the printable walkthrough of a guided operation, saved under the home.

The guided flows offer it before the first step on the real Kamu SM site. It holds no
personal data (it is made from guided.yaml and the catalogs only), so it goes into the
person's home folder with ordinary permissions, named after the operation and language.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.flow.actions import ActionResult, action

OUTCOMES = ("saved", "failed", "unknown")
_log = logging.getLogger(__name__)


@action(
    "guide.save",
    outcomes=OUTCOMES,
    inputs={"operation": str, "language": str},
    outputs={"pdf": str, "html": str, "home": str},
)
def save_printable_guide(operation: str, language: str) -> ActionResult:
    from assistant.portal.guided import GuidedOperation
    from assistant.portal.printable import save_guide

    try:
        chosen = GuidedOperation(operation)
    except ValueError:
        return ActionResult("unknown")
    try:
        saved = save_guide(chosen, language, Path.home())
    except OSError as error:
        _log.warning("printable guide not saved: %s", type(error).__name__)
        return ActionResult("failed", {"home": str(Path.home())})
    return ActionResult("saved", {"pdf": str(saved.pdf), "html": str(saved.html)})

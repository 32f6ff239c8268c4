"""Make `saved_v2.sqlite3`: conversations as the release with store schema 2 (session
state version 1) saved them, so tests can show that a later release resumes them.

Run once, from the repository root, with the code of that release:

    .venv/bin/python -m tests.unit.flow.data.make_saved_v2

It is kept (not rerun by the tests) because the point of the database is that it was
written by old code. It holds three conversations over the shipped flows, each paused:
- `at-confirm`: main → pin_change, waiting at the typed confirmation `confirm_change`
  (the PINs typed before are not in the database: the resumed session asks again);
- `in-sub-flow`: main → pin_change → card_ready, waiting at `insert_card`;
- `cancel-asked`: main → pin_change at `ask_new_pin`, with the "leave the topic?"
  question (`iptal` typed after progress) still open.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assistant.flow.actions import ActionResult, ActionSpec
from assistant.flow.loader import load_all
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from tests.contracts import contract_registry

ROOT = Path(__file__).parents[4]
DATABASE = Path(__file__).with_name("saved_v2.sqlite3")
SERIAL = "2201 3344 00BA"
STATUS = {
    "label": "AKİS",
    "serial": SERIAL,
    "tries_left": 3,
    "tries_known": True,
    "pin_locked": False,
    "final_try": False,
    "pin_min": 6,
    "pin_max": 8,
}
ANSWERS = {
    "card.find_reader": ActionResult("found", {"name": "ACS ACR39U 00 00"}),
    "card.find_card": ActionResult("found", {"reader": "ACS ACR39U 00 00"}),
    "card.find_module": ActionResult("found", {"path": "/usr/lib/libakisp11.so"}),
    "card.find_token": ActionResult("found", {"serial": SERIAL}),
    "card.pin_note": ActionResult("none"),
    "card.status": ActionResult("ok", STATUS),
}
CONVERSATIONS = {
    "at-confirm": ("3", "918273", "462851", "462851"),
    "in-sub-flow": ("3",),
    "cancel-asked": ("3", "918273", "iptal"),
}


def main() -> None:
    flows, problems = load_all([ROOT / "flows"])
    assert not problems, problems
    DATABASE.unlink(missing_ok=True)
    store = SessionStore(DATABASE)
    for name, typed in CONVERSATIONS.items():
        answers = dict(ANSWERS)
        if name == "in-sub-flow":
            answers["card.find_card"] = ActionResult("no_card")

        def answer(
            spec: ActionSpec, answers: dict[str, ActionResult] = answers
        ) -> Callable[..., ActionResult]:
            result = answers.get(spec.name, ActionResult(sorted(spec.outcomes)[0]))
            return lambda **_: result

        session = Session(flows, contract_registry(flows, answer), "main", session_id=name)
        session.start()
        for reply in typed:
            session.handle(reply)
        store.save(session)
        print(name, session.position, session.pending)
        session.close()
    store.close()


if __name__ == "__main__":
    main()

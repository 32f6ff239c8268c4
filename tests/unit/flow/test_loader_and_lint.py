"""A helpdesk author who breaks a flow is told exactly where and what, one defect class each."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.flow.lint import lint
from assistant.flow.loader import FlowLoadError, load_file, load_text
from assistant.flow.model import Flow
from tests.fixtures.flows.actions import lint_registry
from tests.unit.flow.conftest import FIXTURES

LINT = FIXTURES / "lint"
BROKEN = FIXTURES / "broken"

# fixture file -> (code, line, column, words the message must contain)
LINT_CASES = {
    "unknown_step": ("unknown-step", 8, 15, "did you mean 'finish'"),
    "unknown_action": ("unknown-action", 4, 13, "card.statsu"),
    "unknown_flow": ("unknown-flow", 4, 11, "pin_chnge"),
    "unknown_outcome": ("unknown-outcome", 8, 18, "card_gone"),
    "unreachable": ("unreachable", 6, 5, "orphan"),
    "dead_end": ("dead-end", 9, 5, "runs off its end"),
    "busy_loop": ("busy-loop", 3, 5, "read → wait"),
    "unconfirmed_danger": ("unconfirmed-danger", 15, 13, "portal.revoke"),
    "secret_remote": ("secret-remote", 4, 5, "telegram"),
    "undefined_name": ("undefined-name", 4, 10, "{card.tries_left}"),
    "missing_translation": ("missing-translation", 7, 10, "missing_translation.bye"),
    "weak_confirm": ("weak-confirm", 4, 5, "plain yes"),
    "repair_phrase": ("weak-confirm", 4, 5, "repair word"),
    "secret_leak": ("secret-leak", 8, 10, "'pin' is a secret"),
    "action_inputs": ("action-inputs", 8, 17, "is a secret"),
}

LOAD_CASES = {
    "yaml_syntax": ("yaml", 7, 1, "quoted scalar that starts at line 4, column 10"),
    "unknown_key": ("schema", 5, 5, "did you mean 'save_as'"),
    "no_kind": ("schema", 3, 5, "expected a step kind"),
    "bad_condition": ("condition", 8, 15, "write '=='"),
    "bad_secret_kind": ("schema", 5, 11, "did you mean 'pin'"),
}


def _catalog_without_bye(flow: Flow):  # type: ignore[no-untyped-def]
    return lambda message: message.id != f"{flow.name}.bye"


@pytest.mark.parametrize("name", sorted(LINT_CASES))
def test_each_defect_class_is_reported_at_its_exact_place(name: str) -> None:
    code, line, column, words = LINT_CASES[name]
    path = LINT / f"{name}.yaml"
    flow = load_file(path)
    problems = lint({flow.name: flow}, lint_registry(), _catalog_without_bye(flow))
    assert len(problems) == 1, problems
    problem = problems[0]
    assert (problem.code, problem.location.line, problem.location.column) == (code, line, column)
    assert problem.location.file == str(path)
    assert words in problem.message
    assert str(problem).startswith(f"{path}:{line}:{column}: ")


def test_every_lint_fixture_is_covered() -> None:
    assert {p.stem for p in LINT.glob("*.yaml")} == set(LINT_CASES)
    assert {p.stem for p in BROKEN.glob("*.yaml")} == set(LOAD_CASES)


@pytest.mark.parametrize("name", sorted(LOAD_CASES))
def test_broken_files_say_where_what_was_expected_and_found(name: str) -> None:
    code, line, column, words = LOAD_CASES[name]
    with pytest.raises(FlowLoadError) as caught:
        load_file(BROKEN / f"{name}.yaml")
    (problem,) = caught.value.problems
    assert (problem.code, problem.location.line, problem.location.column) == (code, line, column)
    assert words in problem.message


def test_the_pin_change_journey_lints_clean(flows: dict[str, Flow]) -> None:
    assert lint(flows, lint_registry(), lambda message: True) == []


def test_without_a_catalog_translations_are_not_checked(flows: dict[str, Flow]) -> None:
    assert lint(flows, lint_registry(), lambda message: False) != []
    assert lint(flows, lint_registry(), None) == []


def test_all_problems_of_a_file_are_reported_together() -> None:
    text = "flow: two\nsteps:\n  - id: a\n    sya: x\n  - id: b\n    end: ok\n    colour: red\n"
    with pytest.raises(FlowLoadError) as caught:
        load_text(text, "two.yaml")
    assert [(p.location.line, p.location.column) for p in caught.value.problems] == [
        (3, 5),
        (7, 5),
    ]


def test_a_dangerous_action_after_a_loop_back_needs_a_new_confirmation() -> None:
    text = """
flow: again
inputs: [card]
steps:
  - id: confirm
    confirm: "Onaylamak için SERTİFİKAMI İPTAL ET yazınız."
    phrase: SERTİFİKAMI İPTAL ET
  - id: revoke
    action: portal.revoke
    with: {serial: card.serial}
    on:
      failed: again
  - id: done
    end: ok
  - id: again
    ask: "Yeniden deneyelim mi?"
    type: yes_no
    save_as: retry
    next: revoke
"""
    flow = load_text(text, "again.yaml")
    (problem,) = lint({flow.name: flow}, lint_registry())
    assert problem.code == "unconfirmed-danger"


def test_calls_check_the_callee_and_its_outcomes(tmp_path: Path) -> None:
    caller = load_text(
        "flow: caller\nsteps:\n  - id: sub\n    call: callee\n    on:\n      nope: done\n"
        "  - id: done\n    end: ok\n",
        "caller.yaml",
    )
    callee = load_text(
        "flow: callee\ninputs: [card]\nsteps:\n  - id: x\n    end: fine\n", "callee.yaml"
    )
    problems = lint({"caller": caller, "callee": callee}, lint_registry())
    assert {(p.code, p.location.line) for p in problems} == {
        ("unknown-outcome", 6),
        ("undefined-name", 4),
    }

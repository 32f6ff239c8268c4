"""Action contracts cannot drift from the code that fulfils them.

Every outcome an action's body can name (a string or an enum member passed to
`ActionResult`) is in the contract written on it; every domain result mapped by
`named` lands on a declared name; a result outside the contract is refused when it is
returned; portal actions declare the outcomes their one wrapper can add.
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import textwrap
from pathlib import Path

import pytest

from assistant.agent import outcome_names
from assistant.agent.actions import build_registry
from assistant.agent.outcome_names import named
from assistant.agent.portal_actions import PORTAL_URL_ENV, PortalActions
from assistant.agent.revocation_actions import RevocationOutcome
from assistant.card.outcomes import OutcomeKind
from assistant.card.service import CardService
from assistant.flow.actions import (
    ActionContext,
    ActionContractError,
    ActionResult,
    Registry,
    action,
    contract_of,
    declared_actions,
)
from assistant.pki.facts import ValidityState
from assistant.pki.status import RevocationStatus
from assistant.portal.api import (
    PortalProblem,
    PortalUnavailableError,
    SessionExpiredError,
    SessionStage,
)

ACTION_MODULES = (
    "assistant.agent.actions",
    "assistant.agent.portal_actions",
    "assistant.agent.revocation_actions",
    "assistant.agent.guide_actions",
    "assistant.agent.doctor_actions",
    "assistant.agent.sign_actions",
)


def _decorated_functions() -> list[tuple[str, object, str]]:
    """(module, the decorated callable, its action name) for every `@action` shipped."""
    found = []
    for module_name in ACTION_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            owners = [value] if not inspect.isclass(value) else list(vars(value).values())
            for fn in owners:
                contract = contract_of(fn)
                if contract is not None and getattr(fn, "__module__", "") == module_name:
                    found.append((module_name, fn, contract.name))
    return found


def _named_outcomes(fn: object, module_name: str) -> set[str]:
    """The outcome names the function's own body passes to ActionResult."""
    target = inspect.unwrap(fn)  # type: ignore[arg-type]
    tree = ast.parse(textwrap.dedent(inspect.getsource(target)))
    module = importlib.import_module(module_name)
    names: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ActionResult"):
            continue
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
        elif isinstance(first, ast.IfExp):
            for branch in (first.body, first.orelse):
                if isinstance(branch, ast.Constant) and isinstance(branch.value, str):
                    names.add(branch.value)
        elif isinstance(first, ast.Attribute) and isinstance(first.value, ast.Name):
            owner = getattr(module, first.value.id, None)
            if inspect.isclass(owner) and issubclass(owner, enum.Enum):
                names.add(str(getattr(owner, first.attr)))
    return names


def test_every_shipped_action_is_collected_from_its_decoration() -> None:
    registry = build_registry(CardService())
    decorated = {name for _, _, name in _decorated_functions()}
    assert decorated == {spec.name for spec in registry}
    assert "portal.begin_login" in decorated and "card.verify_pin" in decorated


@pytest.mark.parametrize(("module_name", "fn", "name"), _decorated_functions())
def test_an_action_names_only_outcomes_its_contract_declares(
    module_name: str, fn: object, name: str
) -> None:
    spec = build_registry(CardService()).get(name)
    assert spec is not None
    undeclared = _named_outcomes(fn, module_name) - spec.outcomes
    assert undeclared == set(), f"{name} can end with {undeclared}, not in its contract"


@pytest.mark.parametrize(
    "names",
    [
        outcome_names.PinOutcome,
        outcome_names.TokenOutcome,
        outcome_names.ReadOutcome,
        outcome_names.CertificateOutcome,
        outcome_names.UnlockCardOutcome,
    ],
)
def test_every_card_outcome_kind_has_a_declared_name(names: type[enum.StrEnum]) -> None:
    for kind in OutcomeKind:
        assert named(kind, names) in set(names)


def test_the_pki_enums_are_named_member_for_member() -> None:
    for status in RevocationStatus:
        assert named(status, RevocationOutcome).name == status.name
    for state in ValidityState:
        assert named(state, outcome_names.CertificateOutcome).name == state.name


def test_an_enum_without_error_refuses_a_result_it_cannot_name() -> None:
    class Narrow(enum.StrEnum):
        GOOD = "good"

    with pytest.raises(ValueError, match="no name"):
        named(RevocationStatus.REVOKED, Narrow)


class _Drifting:
    @action("test.drift", outcomes=("ok",))
    def drift(self) -> ActionResult:
        return ActionResult("session_expired")


def test_an_outcome_outside_the_contract_is_refused_when_returned() -> None:
    registry = Registry.collect(_Drifting())
    spec = registry.get("test.drift")
    assert spec is not None
    with pytest.raises(ActionContractError, match="undeclared outcome 'session_expired'"):
        spec.check(spec.invoke(ActionContext("c", "terminal", "tr"), {}))


def test_a_broken_contract_fails_where_it_is_written() -> None:
    with pytest.raises(ValueError, match="takes the context"):
        action("test.danger", outcomes=("ok",), dangerous=True)
    with pytest.raises(ValueError, match="must declare its outcomes"):
        action("test.none", outcomes=())


def test_collect_finds_module_functions_and_inherited_methods_once() -> None:
    class Child(_Drifting):
        pass

    assert [c.name for c, _ in declared_actions(Child())] == ["test.drift"]
    guide = importlib.import_module("assistant.agent.guide_actions")
    assert [c.name for c, _ in declared_actions(guide)] == ["guide.save"]


class _Failing:
    """A portal whose calls fail the way the training portal's client reports it."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def begin_login(self, tckn: str) -> object:
        raise self.error

    def holder_info(self) -> object:
        raise self.error

    def close(self) -> None:
        pass


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (SessionExpiredError(SessionStage.LOGIN), "session_expired"),
        (PortalUnavailableError(PortalProblem.OFFLINE), "unreachable"),
    ],
)
def test_portal_failures_are_mapped_once_to_declared_outcomes(
    error: Exception, outcome: str
) -> None:
    actions = PortalActions(
        CardService(),
        environ={PORTAL_URL_ENV: "http://127.0.0.1:9"},
        factory=lambda _: _Failing(error),
    )
    registry = Registry.collect(actions)
    context = ActionContext("conversation-1", "terminal", "tr")
    for name, inputs in (
        ("portal.begin_login", {"tckn": "10000000146"}),
        ("portal.holder_info", {}),
    ):
        spec = registry.get(name)
        assert spec is not None
        result = spec.check(spec.invoke(context, inputs))
        assert result.outcome == outcome


def test_without_a_login_a_portal_call_says_the_session_expired() -> None:
    actions = PortalActions(CardService(), environ={PORTAL_URL_ENV: "http://127.0.0.1:9"})
    spec = Registry.collect(actions).get("portal.list_certificates")
    assert spec is not None
    result = spec.check(spec.invoke(ActionContext("c", "terminal", "tr"), {}))
    assert result.outcome == "session_expired"


def test_the_action_modules_hold_no_registration_table() -> None:
    for module_name in ACTION_MODULES:
        path = Path(importlib.import_module(module_name).__file__ or "")
        assert ".register(" not in path.read_text(encoding="utf-8"), module_name

"""The card operations flows may call, as `card.*` actions.

This is the seam between the card layer (typed `Outcome`s, no words) and the flows
(named outcomes they branch on, plain outputs they show). Each action declares its
contract with the registry, so `nes-asistan flows lint` checks every flow against what
the assistant really does — including which actions are dangerous and need a typed
confirmation before them.

Every PIN-spending action can end `unknown`: the card's answer was lost after the command
left (card pulled, reader error), so the flow says what may have happened (`effect`)
instead of "unchanged". The agent's note about a PIN that may be new (card_notes) is
what `card.pin_note` reports, so the next PIN question says which PIN to try first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from assistant.agent.card_service import CardService
from assistant.agent.doctor_actions import register_doctor_actions
from assistant.agent.guide_actions import register_guide_actions
from assistant.agent.portal_actions import register_portal_actions
from assistant.agent.revocation_actions import register_revocation_actions
from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.discovery import CandidateState
from assistant.card.outcomes import Effect, Outcome, OutcomeKind
from assistant.card.profiles import MatchKind
from assistant.card.token import TokenSession
from assistant.flow.actions import ActionContext, ActionResult, Registry
from assistant.pki.facts import ValidityState, read_facts
from assistant.pki.selection import NotChosenReason, pick_signing_certificate
from assistant.secret import Secret

# Outcomes every PIN-spending action can end with, and what the flows call them.
PIN_OUTCOMES = (
    "ok",
    "wrong_pin",
    "last_try",
    "locked",
    "bad_format",
    "removed",
    "unknown",
    "error",
)
_PIN_KINDS = {
    OutcomeKind.OK: "ok",
    OutcomeKind.PIN_INCORRECT: "wrong_pin",
    OutcomeKind.LAST_TRY_NEEDS_CONSENT: "last_try",
    OutcomeKind.PIN_LOCKED: "locked",
    OutcomeKind.PIN_POLICY: "bad_format",
    OutcomeKind.CARD_REMOVED: "removed",
    OutcomeKind.NO_TOKEN: "removed",
    OutcomeKind.UNKNOWN: "unknown",
}
PIN_OUTPUTS: dict[str, type] = {
    "tries_left": int,
    "problem": str,
    "effect": str,
    "rule": str,
    "rule_new_pin": bool,
    "pin_min": int,
    "pin_max": int,
}
"""`effect` for `unknown` (an `Effect` value); `rule`, `rule_new_pin`, `pin_min`, `pin_max`
for `bad_format`: which rule the PIN broke, and whether it was the new PIN."""
_TOKEN_KINDS = {
    OutcomeKind.MODULE_MISSING: "module_missing",
    OutcomeKind.MODULE_FAILED: "module_failed",
    OutcomeKind.TOKEN_NOT_RECOGNISED: "unreadable",
    OutcomeKind.NO_TOKEN: "unreadable",
    OutcomeKind.CARD_REMOVED: "removed",
}
_VALIDITY = {
    ValidityState.VALID: "ok",
    ValidityState.RENEWAL_DUE: "expiring",
    ValidityState.EXPIRED: "expired",
    ValidityState.NOT_YET_VALID: "not_yet_valid",
}


class CardActions:
    """Card operations with flow-shaped results; `now` is injectable for expiry tests."""

    def __init__(self, card: CardService, now: Callable[[], dt.datetime] | None = None) -> None:
        self.card = card
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    def find_reader(self) -> ActionResult:
        picture = self.card.picture()
        if not picture.service_up:
            return ActionResult("no_service")
        if not picture.readers:
            return ActionResult("no_reader")
        card = picture.card
        return ActionResult("found", {"name": card.reader if card else picture.readers[0]})

    def find_card(self) -> ActionResult:
        picture = self.card.picture()
        if not picture.readers:
            return ActionResult("no_reader")
        card = picture.card
        if card is None:
            return ActionResult("no_card")
        if card.mute:
            return ActionResult("mute", {"reader": card.reader})
        match = self.card.recognise(card)
        outputs: dict[str, object] = {
            "reader": card.reader,
            "atr": card.atr.hex(" ").upper(),
            "profile": match.profile.id,
            "description": match.description or match.profile.name,
        }
        return ActionResult("unknown" if match.kind is MatchKind.FALLBACK else "found", outputs)

    def find_module(self) -> ActionResult:
        card = self.card.picture().card
        profile = (
            self.card.recognise(card).profile
            if card is not None and not card.mute
            else self.card.profiles.get("akis")
        )
        search = self.card.find_module(profile)
        if search.path is not None:
            return ActionResult("found", {"path": str(search.path)})
        hint = search.install[0] if search.install else None
        expected = ", ".join(c.path.name for c in search.candidates[:1]) or profile.name
        outputs: dict[str, object] = {
            "expected": expected,
            "path": str(search.candidates[0].path) if search.candidates else "",
            "package": hint.package if hint else "",
            "url": hint.url if hint else "",
        }
        wrong = [c for c in search.candidates if c.state is CandidateState.WRONG_ARCHITECTURE]
        if wrong:
            outputs["path"] = str(wrong[0].path)
            return ActionResult("wrong_architecture", outputs)
        return ActionResult("missing" if hint else "not_found", outputs)

    def find_token(self) -> ActionResult:
        """The last readiness check: the module loads and lists this card's token (opened
        once per insertion, so a flow may ask again at no cost)."""
        opened = self.card.token()
        if opened is None:
            return ActionResult("removed")
        if not opened.ok:
            name = _TOKEN_KINDS.get(opened.kind, "error")
            return ActionResult(name, {"problem": _problem(opened)})
        return ActionResult("found", {"serial": opened.unwrap().serial})

    def pin_note(self) -> ActionResult:
        """Which PIN to try first, when a PIN change or unblock lost the card's answer.

        "maybe_new": try the new PIN first. An unblock of a locked PIN is settled by the
        retry state: still locked means it never happened (the note goes), unlocked means
        it did ("new"). "none" also when there is no card to ask about.
        """
        opened = self.card.token()
        if opened is None or not opened.ok:
            return ActionResult("none")
        token = opened.unwrap()
        note = self.card.notes.get(token.serial)
        if note is None:
            return ActionResult("none")
        state = "maybe_new"
        if note.effect == Effect.PIN_MAYBE_RESET and note.pin_was_locked:
            status = token.status()
            if status.ok and status.unwrap().pin.locked:
                self.card.notes.forget(token.serial)
                return ActionResult("none")
            if status.ok:
                state = "new"
        return ActionResult(state, {"operation": note.operation, "since": note.local_time()})

    def status(self) -> ActionResult:
        token = self._token()
        if isinstance(token, ActionResult):
            return token
        status = token.status()
        if not status.ok:
            return _failure(status, ("removed", "error"))
        value = status.unwrap()
        policy = value.new_pin_policy
        return ActionResult(
            "ok",
            {
                "label": value.label,
                "serial": value.serial,
                "tries_left": value.pin.tries_left,
                "tries_known": value.pin.tries_left is not None,
                "pin_locked": value.pin.locked,
                "final_try": value.pin.last_try,
                "pin_min": policy.min_length or 4,
                "pin_max": policy.max_length or policy.min_length or 8,
            },
        )

    def certificate(self) -> ActionResult:
        token = self._token()
        if isinstance(token, ActionResult):
            return ActionResult("removed") if token.outcome == "removed" else token
        listed = self.card.certificates()
        if listed is None:
            return ActionResult("removed")
        if not listed.ok:
            return _failure(listed, ("removed", "none"))
        facts = [read_facts(c.der) for c in listed.unwrap()]
        now = self._now()
        choice = pick_signing_certificate(facts, now) if facts else None
        if choice is None or choice.chosen is None:
            return ActionResult("none")
        cert = choice.chosen
        validity = cert.validity_at(now)
        outcome = _VALIDITY[validity.state]
        reasons = [reason for _, reason in choice.others]
        return ActionResult(
            outcome,
            {
                "holder": cert.holder_name or "",
                "tckn_masked": cert.tckn_masked or "",
                "issuer": cert.issuer_name or cert.issuer,
                "key_type": cert.key.label,
                "not_before": cert.not_before.date().isoformat(),
                "not_after": cert.not_after.date().isoformat(),
                "days_left": validity.days_left,
                "state": outcome,
                "qualified": cert.is_qualified,
                "total": len(facts),
                "renewed": NotChosenReason.NOT_YET_VALID in reasons,
            },
        )

    def verify_pin(self, pin: Secret) -> ActionResult:
        return self._with_pin(lambda t: t.verify_pin(pin))

    def verify_pin_last_try(self, context: ActionContext, pin: Secret) -> ActionResult:
        """The last try, with the consent the person typed at the confirm step before it
        (the engine hands it over; the card layer checks it is for this very card)."""
        return self._with_pin(
            lambda t: t.verify_pin(pin, _last_try(context, t, PinOperation.VERIFY_PIN))
        )

    def change_pin(self, context: ActionContext, old_pin: Secret, new_pin: Secret) -> ActionResult:
        """Dangerous, so it runs only after its confirm step; that confirmation is for the
        change, not for spending a last try (the guard still refuses that)."""
        return self._with_pin(lambda t: t.change_pin(old_pin, new_pin))

    def test_signature(self, pin: Secret) -> ActionResult:
        token = self._token()
        if isinstance(token, ActionResult):
            return token
        signed = token.test_signature(pin)
        if signed.kind is OutcomeKind.SIGNATURE_INVALID:
            return ActionResult("invalid")
        if not signed.ok:
            return _pin_failure(signed)
        return ActionResult("ok", {"algorithm": signed.unwrap().mechanism})

    # -- helpers -------------------------------------------------------------------------
    def _token(self) -> TokenSession | ActionResult:
        opened = self.card.token()
        if opened is None:
            return ActionResult("removed")
        if not opened.ok:
            return _failure(opened, ("removed", "error"))
        return opened.unwrap()

    def _with_pin(self, attempt: Callable[[TokenSession], Outcome[None]]) -> ActionResult:
        token = self._token()
        if isinstance(token, ActionResult):
            return token
        result = attempt(token)
        return ActionResult("ok") if result.ok else _pin_failure(result)


def _last_try(
    context: ActionContext, token: TokenSession, operation: PinOperation
) -> LastTryConsent | None:
    return LastTryConsent.grant(context.consent, operation=operation, token_serial=token.serial)


def _pin_failure(outcome: Outcome[object]) -> ActionResult:
    name = _PIN_KINDS.get(outcome.kind, "error")
    tries = outcome.retry.tries_left if outcome.retry is not None else None
    outputs: dict[str, object] = {"problem": _problem(outcome)}
    if tries is not None:
        outputs["tries_left"] = tries
    if outcome.effect is not None:
        outputs["effect"] = outcome.effect.value
    rule = outcome.pin_rule
    if rule is not None:
        outputs.update(
            rule=rule.problem.value,
            rule_new_pin=rule.new_pin,
            pin_min=rule.min_length or 1,
            pin_max=rule.max_length or rule.min_length or 16,
        )
    return ActionResult(name, outputs)


def _problem(outcome: Outcome[object]) -> str:
    """The helpdesk's clue, logged with the step: the card's outcome kind, what a lost
    answer may have done, and the PKCS#11 return value (never anything typed)."""
    parts = [outcome.kind.value]
    if outcome.effect is not None:
        parts.append(outcome.effect.value)
    if outcome.error is not None and outcome.error != outcome.kind.value:
        parts.append(outcome.error)
    return ":".join(parts)


def _failure(outcome: Outcome[object], names: tuple[str, str]) -> ActionResult:
    """`names` = (what removal is called, what anything else is called) for this action."""
    removed = outcome.kind in (OutcomeKind.CARD_REMOVED, OutcomeKind.NO_TOKEN)
    return ActionResult(names[0] if removed else names[1], {"problem": _problem(outcome)})


def build_registry(card: CardService | None = None) -> Registry:
    """Every `card.*` action with its contract; without a service (lint) nothing is started."""
    actions = CardActions(card or CardService())
    registry = Registry()
    pin_outputs = PIN_OUTPUTS
    registry.register(
        "card.find_reader",
        actions.find_reader,
        outcomes=("found", "no_reader", "no_service"),
        outputs={"name": str},
    )
    registry.register(
        "card.find_card",
        actions.find_card,
        outcomes=("found", "no_card", "mute", "unknown", "no_reader"),
        outputs={"reader": str, "atr": str, "profile": str, "description": str},
    )
    registry.register(
        "card.find_module",
        actions.find_module,
        outcomes=("found", "missing", "not_found", "wrong_architecture"),
        outputs={"path": str, "expected": str, "package": str, "url": str},
    )
    registry.register(
        "card.find_token",
        actions.find_token,
        outcomes=("found", "removed", "module_missing", "module_failed", "unreadable", "error"),
        outputs={"serial": str, "problem": str},
    )
    registry.register(
        "card.pin_note",
        actions.pin_note,
        outcomes=("none", "maybe_new", "new"),
        outputs={"operation": str, "since": str},
    )
    registry.register(
        "card.status",
        actions.status,
        outcomes=("ok", "removed", "error"),
        outputs={
            "label": str,
            "serial": str,
            "tries_left": int,
            "tries_known": bool,
            "pin_locked": bool,
            "final_try": bool,
            "pin_min": int,
            "pin_max": int,
            "problem": str,
        },
    )
    registry.register(
        "card.certificate",
        actions.certificate,
        outcomes=("ok", "expiring", "expired", "not_yet_valid", "none", "removed", "error"),
        outputs={
            "holder": str,
            "tckn_masked": str,
            "issuer": str,
            "key_type": str,
            "not_before": str,
            "not_after": str,
            "days_left": int,
            "state": str,
            "qualified": bool,
            "total": int,
            "renewed": bool,
            "problem": str,
        },
    )
    registry.register(
        "card.verify_pin",
        actions.verify_pin,
        outcomes=PIN_OUTCOMES,
        inputs={"pin": Secret},
        outputs=pin_outputs,
        local_only=True,
    )
    registry.register(
        "card.verify_pin_last_try",
        actions.verify_pin_last_try,
        outcomes=PIN_OUTCOMES,
        inputs={"pin": Secret},
        outputs=pin_outputs,
        dangerous=True,
        local_only=True,
        context=True,
    )
    registry.register(
        "card.change_pin",
        actions.change_pin,
        outcomes=PIN_OUTCOMES,
        inputs={"old_pin": Secret, "new_pin": Secret},
        outputs=pin_outputs,
        dangerous=True,
        local_only=True,
        context=True,
    )
    registry.register(
        "card.test_signature",
        actions.test_signature,
        outcomes=(*PIN_OUTCOMES, "invalid"),
        inputs={"pin": Secret},
        outputs={**pin_outputs, "algorithm": str},
        local_only=True,
    )
    register_revocation_actions(registry, actions.card)
    register_doctor_actions(registry)
    register_portal_actions(registry, actions.card)
    register_guide_actions(registry)
    from assistant.agent.sign_actions import register_sign_actions  # imports this module

    register_sign_actions(registry, actions.card)
    return registry

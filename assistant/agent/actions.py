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
import enum
from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.agent import guide_actions
from assistant.agent.doctor_actions import DoctorActions
from assistant.agent.outcome_names import (
    CertificateOutcome,
    PinOutcome,
    ReadOutcome,
    TokenOutcome,
    named,
)
from assistant.agent.portal_actions import PortalActions
from assistant.agent.revocation_actions import RevocationActions
from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.discovery import CandidateState
from assistant.card.outcomes import Effect, Outcome, OutcomeKind, PinAttempt
from assistant.card.profiles import MatchKind
from assistant.card.service import CardService
from assistant.card.token import TokenSession
from assistant.flow.actions import ActionContext, ActionResult, Registry, action
from assistant.secret import Secret

if TYPE_CHECKING:
    from assistant.pki.facts import CertificateFacts

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
STATUS_OUTPUTS: dict[str, type] = {
    "label": str,
    "serial": str,
    "tries_left": int,
    "tries_known": bool,
    "pin_locked": bool,
    "final_try": bool,
    "pin_min": int,
    "pin_max": int,
    "problem": str,
}
CERTIFICATE_OUTPUTS: dict[str, type] = {
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
}


class CardActions:
    """Card operations with flow-shaped results; `now` is injectable for expiry tests."""

    def __init__(self, card: CardService, now: Callable[[], dt.datetime] | None = None) -> None:
        self.card = card
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    @action(
        "card.find_reader", outcomes=("found", "no_reader", "no_service"), outputs={"name": str}
    )
    def find_reader(self) -> ActionResult:
        picture = self.card.picture()
        if not picture.service_up:
            return ActionResult("no_service")
        if not picture.readers:
            return ActionResult("no_reader")
        card = picture.card
        return ActionResult("found", {"name": card.reader if card else picture.readers[0]})

    @action(
        "card.find_card",
        outcomes=("found", "no_card", "mute", "unknown", "no_reader"),
        outputs={"reader": str, "atr": str, "profile": str, "description": str},
    )
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

    @action(
        "card.find_module",
        outcomes=("found", "missing", "not_found", "wrong_architecture"),
        outputs={"path": str, "expected": str, "package": str, "url": str},
    )
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

    @action("card.find_token", outcomes=TokenOutcome, outputs={"serial": str, "problem": str})
    def find_token(self) -> ActionResult:
        """The last readiness check: the module loads and lists this card's token (opened
        once per insertion, so a flow may ask again at no cost)."""
        opened = self.card.token()
        if opened is None:
            return ActionResult(TokenOutcome.CARD_REMOVED)
        if not opened.ok:
            return ActionResult(named(opened.kind, TokenOutcome), {"problem": _problem(opened)})
        return ActionResult(TokenOutcome.OK, {"serial": opened.unwrap().serial})

    @action(
        "card.pin_note",
        outcomes=("none", "maybe_new", "new"),
        outputs={"operation": str, "since": str},
    )
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

    @action("card.status", outcomes=ReadOutcome, outputs=STATUS_OUTPUTS)
    def status(self) -> ActionResult:
        opened = self._token()
        if not opened.ok:
            return card_failure(opened, ReadOutcome)
        status = opened.unwrap().status()
        if not status.ok:
            return card_failure(status, ReadOutcome)
        value = status.unwrap()
        policy = value.new_pin_policy
        return ActionResult(
            ReadOutcome.OK,
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

    @action("card.certificate", outcomes=CertificateOutcome, outputs=CERTIFICATE_OUTPUTS)
    def certificate(self) -> ActionResult:
        opened = self._token()
        if not opened.ok:
            return card_failure(opened, CertificateOutcome)
        listed = self.card.certificates()
        if listed is None:
            return ActionResult(CertificateOutcome.CARD_REMOVED)
        if not listed.ok:
            removed = named(listed.kind, CertificateOutcome) is CertificateOutcome.CARD_REMOVED
            outcome = CertificateOutcome.CARD_REMOVED if removed else CertificateOutcome.NONE
            return ActionResult(outcome, {"problem": _problem(listed)})
        from assistant.pki.facts import read_facts  # cryptography: not before the first prompt

        return self._signing_certificate([read_facts(c.der) for c in listed.unwrap()])

    def _signing_certificate(self, facts: list[CertificateFacts]) -> ActionResult:
        from assistant.pki.selection import NotChosenReason, pick_signing_certificate

        now = self._now()
        choice = pick_signing_certificate(facts, now) if facts else None
        if choice is None or choice.chosen is None:
            return ActionResult(CertificateOutcome.NONE)
        cert = choice.chosen
        validity = cert.validity_at(now)
        outcome = named(validity.state, CertificateOutcome)
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
                "state": outcome.value,
                "qualified": cert.is_qualified,
                "total": len(facts),
                "renewed": NotChosenReason.NOT_YET_VALID in reasons,
            },
        )

    @action(
        "card.verify_pin",
        outcomes=PinOutcome,
        inputs={"pin": Secret},
        outputs=PIN_OUTPUTS,
        local_only=True,
    )
    def verify_pin(self, pin: Secret) -> ActionResult:
        return self._with_pin(lambda t: t.verify_pin(pin))

    @action(
        "card.verify_pin_last_try",
        outcomes=PinOutcome,
        inputs={"pin": Secret},
        outputs=PIN_OUTPUTS,
        dangerous=True,
        local_only=True,
        context=True,
    )
    def verify_pin_last_try(self, context: ActionContext, pin: Secret) -> ActionResult:
        """The last try, with the consent the person typed at the confirm step before it
        (the engine hands it over; the card layer checks it is for this very card)."""
        return self._with_pin(
            lambda t: t.verify_pin(pin, _last_try(context, t, PinOperation.VERIFY_PIN))
        )

    @action(
        "card.change_pin",
        outcomes=PinOutcome,
        inputs={"old_pin": Secret, "new_pin": Secret},
        outputs=PIN_OUTPUTS,
        dangerous=True,
        local_only=True,
        context=True,
    )
    def change_pin(self, context: ActionContext, old_pin: Secret, new_pin: Secret) -> ActionResult:
        """Dangerous, so it runs only after its confirm step; that confirmation is for the
        change, not for spending a last try (the guard still refuses that)."""
        return self._with_pin(lambda t: t.change_pin(old_pin, new_pin))

    @action(
        "card.test_signature",
        outcomes=(*PinOutcome, "invalid"),
        inputs={"pin": Secret},
        outputs={**PIN_OUTPUTS, "algorithm": str},
        local_only=True,
    )
    def test_signature(self, pin: Secret) -> ActionResult:
        opened = self._token()
        if not opened.ok:
            return card_failure(opened, ReadOutcome)
        signed = opened.unwrap().test_signature(pin)
        if signed.kind is OutcomeKind.SIGNATURE_INVALID:
            return ActionResult("invalid")
        if not signed.ok:
            return pin_failure(signed)
        return ActionResult(PinOutcome.OK, {"algorithm": signed.unwrap().mechanism})

    # -- helpers -------------------------------------------------------------------------
    def _token(self) -> Outcome[TokenSession]:
        """The card's token, or why there is none (no card at all reads as removed)."""
        return self.card.token() or Outcome(OutcomeKind.CARD_REMOVED)

    def _with_pin(self, attempt: Callable[[TokenSession], PinAttempt[None]]) -> ActionResult:
        opened = self._token()
        if not opened.ok:
            return card_failure(opened, ReadOutcome)
        result = attempt(opened.unwrap())
        return ActionResult(PinOutcome.OK) if result.ok else pin_failure(result)


def _last_try(
    context: ActionContext, token: TokenSession, operation: PinOperation
) -> LastTryConsent | None:
    return LastTryConsent.grant(context.consent, operation=operation, token_serial=token.serial)


def pin_failure(outcome: PinAttempt[object]) -> ActionResult:
    """A PIN use that did not succeed, with what the flows show about it: tries left,
    what a lost answer may have done, which PIN rule was broken."""
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
    return ActionResult(named(outcome.kind, PinOutcome), outputs)


def _problem(outcome: Outcome[object]) -> str:
    """The helpdesk's clue, logged with the step: the card's outcome kind, what a lost
    answer may have done, and the PKCS#11 return value (never anything typed)."""
    parts = [outcome.kind.value]
    if isinstance(outcome, PinAttempt) and outcome.effect is not None:
        parts.append(outcome.effect.value)
    if outcome.error is not None and outcome.error != outcome.kind.value:
        parts.append(outcome.error)
    return ":".join(parts)


def card_failure(outcome: Outcome[object], names: type[enum.StrEnum]) -> ActionResult:
    """A card that could not be asked: removed, or an error (whatever `names` calls them)."""
    removed = named(outcome.kind, ReadOutcome) is ReadOutcome.CARD_REMOVED
    name = names.__members__["CARD_REMOVED" if removed else "ERROR"]
    return ActionResult(name, {"problem": _problem(outcome)})


def build_registry(card: CardService | None = None) -> Registry:
    """Every action the flows may call, collected from the objects that carry it out;
    without a service (lint) nothing is started."""
    from assistant.agent.sign_actions import SignActions  # it imports this module

    service = card or CardService()
    return Registry.collect(
        CardActions(service),
        RevocationActions(service),
        PortalActions(service),
        DoctorActions(service),
        SignActions(service),
        guide_actions,
    )

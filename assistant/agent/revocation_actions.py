"""`pki.revocation`: is the card's signing certificate revoked or suspended?

The chain is built from the card's certificates plus the configured trust store, so the
issuer needed for OCSP and CRL checks is found the same way a signing application would
find it. "No network" and "no trust store" are outcomes the flow explains in plain words;
none of them is an error to the person.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable

from assistant.agent.outcome_names import named
from assistant.card.service import CardService
from assistant.flow.actions import ActionResult, action


class RevocationOutcome(enum.StrEnum):
    """`pki.revocation`: a `RevocationStatus` by its member name, or why none was asked."""

    GOOD = "good"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    UNKNOWN = "unknown"
    UNAVAILABLE = "offline"
    INVALID_RESPONSE = "invalid_answer"
    UNTRUSTED = "untrusted"
    NO_TRUST_STORE = "no_trust_store"
    NONE = "none"
    CARD_REMOVED = "removed"


class RevocationActions:
    def __init__(self, card: CardService, now: Callable[[], dt.datetime] | None = None) -> None:
        self.card = card
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    @action(
        "pki.revocation",
        outcomes=RevocationOutcome,
        outputs={"trusted": bool, "revoked_at": str, "reason": str},
    )
    def revocation(self) -> ActionResult:
        from cryptography import x509

        from assistant.pki.cache import RevocationCache
        from assistant.pki.facts import read_facts
        from assistant.pki.revocation import check_revocation
        from assistant.pki.selection import pick_signing_certificate
        from assistant.pki.trust import ChainStatus, build_chain, load_trust_store

        listed = self.card.certificates()
        if listed is None or not listed.ok:
            return ActionResult(RevocationOutcome.CARD_REMOVED)
        now = self._now()
        certificates = [x509.load_der_x509_certificate(c.der) for c in listed.unwrap()]
        choice = pick_signing_certificate([read_facts(c) for c in certificates], now)
        if choice.chosen is None:
            return ActionResult(RevocationOutcome.NONE)
        leaf = x509.load_der_x509_certificate(choice.chosen.der)
        chain = build_chain(leaf, certificates, load_trust_store(), now)
        if chain.status is ChainStatus.NO_TRUST_STORE:
            return ActionResult(RevocationOutcome.NO_TRUST_STORE)
        if chain.issuer is None:
            return ActionResult(RevocationOutcome.UNTRUSTED)
        result = check_revocation(leaf, chain.issuer, cache=RevocationCache(), now=now)
        outputs: dict[str, object] = {"trusted": chain.status is ChainStatus.TRUSTED}
        if result.revoked_at is not None:
            outputs["revoked_at"] = result.revoked_at.date().isoformat()
        if result.reason is not None:
            outputs["reason"] = result.reason.value
        return ActionResult(named(result.status, RevocationOutcome), outputs)

"""What signing needs and what it answers, shared by PAdES and CAdES.

Before the card is touched the signing certificate is checked: expired, not yet valid,
revoked or suspended is refused (a signature the law would not honour would only
mislead). The chain comes from the card and the trust store; the CA's revocation answers
are fetched once and both decide the level and, for PAdES-B-LT, are embedded.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from cryptography import x509

from assistant.card.certificates import CardCertificate
from assistant.card.consent import LastTryConsent
from assistant.card.outcomes import PinAttempt
from assistant.pki.facts import ValidityState, read_facts
from assistant.pki.fetch import make_client
from assistant.pki.status import RevocationResult, RevocationStatus
from assistant.pki.trust import ChainResult, TrustStore, build_chain, load_trust_store
from assistant.secret import Secret
from assistant.sign import evidence as ev
from assistant.sign.output import OutputForm
from assistant.sign.tsa import TsaSettings
from assistant.sign.verdict import VerificationReport

if TYPE_CHECKING:
    from assistant.card.token import TokenSession
    from assistant.sign.card_signer import CardSigner


class SignKind(enum.StrEnum):
    OK = "ok"
    CARD = "card"
    """The card layer did not sign: `card` holds its Outcome (wrong PIN, last try, …)."""
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_SUSPENDED = "certificate_suspended"
    NOT_FOUND = "not_found"
    UNREADABLE = "unreadable"
    NOT_A_PDF = "not_a_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    CANNOT_WRITE = "cannot_write"
    """The folder refused the signed copy (read-only, full, no free name)."""
    TIMESTAMP_FAILED = "timestamp_failed"
    """The configured time-stamp service did not answer usably: nothing was written."""
    FONT_MISSING = "font_missing"
    CHECK_FAILED = "check_failed"
    """The signed copy did not pass our own check at once: it was not kept."""
    FAILED = "failed"


class Level(enum.StrEnum):
    """ETSI baseline levels (EN 319 142-1 for PAdES, EN 319 122-1 for CAdES)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


@dataclass(frozen=True)
class CardKey:
    """The card side of one signature: the open token and the NES certificate to sign with."""

    token: TokenSession
    certificate: CardCertificate
    card_certificates: tuple[CardCertificate, ...] = ()
    """Everything on the card, so CA certificates stored there complete the chain."""


@dataclass(frozen=True)
class SignOptions:
    visible: bool = False
    """PAdES only: draw a box with name, date and "Nitelikli Elektronik İmza"."""
    page: int = -1
    """The page for the visible box: 0 the first, -1 the last."""
    archive: bool = False
    """PAdES-B-LTA: add a document time-stamp over the validation data (needs a TSA)."""
    embed_validation_data: bool = True
    """Embed the chain and the CA's OCSP/CRL answers (PAdES) when they can be fetched."""


@dataclass(frozen=True)
class Signed:
    path: Path
    form: OutputForm
    level: Level
    validation_data: bool
    """The chain and OCSP/CRL answers are in the document (PAdES DSS)."""
    revocation: RevocationResult | None
    """What the CA said about the certificate just before signing, when asked."""
    report: VerificationReport
    """Our check of the copy right after writing it."""


@dataclass(frozen=True)
class SignOutcome:
    kind: SignKind
    signed: Signed | None = None
    card: PinAttempt[Any] | None = None
    detail: str | None = None
    """Machine-readable cause for logs; never shown verbatim."""

    @property
    def ok(self) -> bool:
        return self.kind is SignKind.OK


@dataclass(frozen=True)
class Prepared:
    leaf: x509.Certificate
    chain: ChainResult
    evidence: ev.Evidence
    anchors: tuple[x509.Certificate, ...]
    """The trust store's roots, or the chain's own top when none is configured: pyHanko
    needs one to collect validation data; trusting it is the verifier's business."""


@dataclass(frozen=True)
class Environment:
    store: TrustStore
    client: httpx.Client | None
    tsa: TsaSettings | None
    now: dt.datetime


def run_signing(
    key: CardKey,
    *,
    store: TrustStore | None,
    client: httpx.Client | None,
    tsa: TsaSettings | None,
    now: dt.datetime | None,
    fetch: bool,
    body: Callable[[Prepared, Environment], SignOutcome],
) -> SignOutcome:
    """Open what signing needs (trust store, an HTTP client), refuse an unusable
    certificate, and run `body`; the client is closed again if it was ours."""
    environment = Environment(
        store if store is not None else load_trust_store(),
        client,
        tsa,
        now or dt.datetime.now(dt.UTC),
    )
    own_client = client is None and fetch
    if own_client:
        environment = Environment(environment.store, make_client(), tsa, environment.now)
    try:
        prepared = prepare(key, environment)
        if isinstance(prepared, SignOutcome):
            return prepared
        return body(prepared, environment)
    finally:
        if own_client and environment.client is not None:
            environment.client.close()


def prepare(key: CardKey, environment: Environment) -> Prepared | SignOutcome:
    leaf = x509.load_der_x509_certificate(key.certificate.der)
    validity = read_facts(leaf).validity_at(environment.now).state
    if validity is ValidityState.EXPIRED:
        return SignOutcome(SignKind.CERTIFICATE_EXPIRED)
    if validity is ValidityState.NOT_YET_VALID:
        return SignOutcome(SignKind.CERTIFICATE_NOT_YET_VALID)
    on_card = [x509.load_der_x509_certificate(c.der) for c in key.card_certificates]
    chain = build_chain(leaf, on_card, environment.store, environment.now)
    evidence = ev.Evidence()
    if environment.client is not None and chain.issuer is not None:
        evidence = ev.gather(chain, client=environment.client, now=environment.now)
    status = evidence.leaf.status if evidence.leaf is not None else None
    if status is RevocationStatus.REVOKED:
        return SignOutcome(SignKind.CERTIFICATE_REVOKED)
    if status is RevocationStatus.SUSPENDED:
        return SignOutcome(SignKind.CERTIFICATE_SUSPENDED)
    anchors = environment.store.anchors or _own_top(chain)
    return Prepared(leaf, chain, evidence, anchors)


def _own_top(chain: ChainResult) -> tuple[x509.Certificate, ...]:
    top = chain.chain[-1]
    return (top,) if len(chain.chain) > 1 and top.subject == top.issuer else ()


def revocation_usable(prepared: Prepared) -> bool:
    """Only a "good" answer about the signer's certificate is worth embedding."""
    leaf = prepared.evidence.leaf
    return (
        leaf is not None
        and leaf.status is RevocationStatus.GOOD
        and prepared.evidence.any
        and bool(prepared.anchors)
    )


def signer_for(
    key: CardKey, pin: Secret | None, consent: LastTryConsent | None, chain: ChainResult
) -> CardSigner:
    from assistant.sign.card_signer import CardSigner

    return CardSigner(
        key.token, pin, key.certificate, [ev.der(c) for c in chain.chain[1:]], consent
    )


def failure_outcome(exc: Exception) -> SignOutcome | None:
    """The typed answer for what can go wrong while a signed copy is made, PAdES or CAdES
    alike; None for anything else (a bug, which the caller lets propagate)."""
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError

    from assistant.sign.card_signer import CardRefusedError
    from assistant.sign.output import NoFreeNameError

    if isinstance(exc, CardRefusedError):
        return SignOutcome(SignKind.CARD, card=exc.outcome)
    if isinstance(exc, FileNotFoundError):
        return SignOutcome(SignKind.NOT_FOUND)
    if isinstance(exc, TimestampRequestError):
        return SignOutcome(SignKind.TIMESTAMP_FAILED, detail=type(exc.__cause__).__name__)
    if isinstance(exc, NoFreeNameError):
        return SignOutcome(SignKind.CANNOT_WRITE, detail=str(exc))
    if isinstance(exc, SigningError):
        return SignOutcome(SignKind.FAILED, detail=type(exc).__name__)
    if isinstance(exc, OSError):
        return SignOutcome(SignKind.CANNOT_WRITE, detail=type(exc).__name__)
    return None

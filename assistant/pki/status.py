"""The typed answer to "is this certificate revoked?", shared by OCSP, CRL and the cache.

"No network" and "the answer could not be trusted" are answers too: the conversation
tells the user what they mean (try again later, the certificate itself may be fine),
so they are values here, never exceptions.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class RevocationStatus(enum.StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    """Revoked with reason certificateHold: the holder can lift it ("Askıdan İndir")."""
    UNKNOWN = "unknown"
    """The responder does not know the certificate (not issued by this CA?)."""
    UNAVAILABLE = "unavailable"
    """No answer could be obtained; `problem` says why."""
    INVALID_RESPONSE = "invalid_response"
    """An answer came but must not be trusted; `problem` says why."""


class Problem(enum.StrEnum):
    # UNAVAILABLE
    NO_URL = "no_url"
    """The certificate names no OCSP responder / CRL distribution point."""
    OFFLINE = "offline"
    """Could not connect (no network, DNS failure, connection refused)."""
    TIMEOUT = "timeout"
    HTTP_ERROR = "http_error"
    RESPONDER_ERROR = "responder_error"
    """The OCSP responder answered tryLater/internalError/unauthorized/…"""
    # INVALID_RESPONSE
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    UNAUTHORISED_RESPONDER = "unauthorised_responder"
    """Signed by a key that is neither the issuer's nor one it delegated OCSP to."""
    STALE = "stale"
    """nextUpdate has passed (or thisUpdate is in the future beyond clock skew)."""
    NONCE_MISMATCH = "nonce_mismatch"
    CERT_ID_MISMATCH = "cert_id_mismatch"
    """The response is about another certificate."""


class Source(enum.StrEnum):
    OCSP = "ocsp"
    CRL = "crl"


class RevocationReason(enum.StrEnum):
    """RFC 5280 CRLReason, our own names so callers need not import cryptography."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    CA_COMPROMISE = "ca_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"
    CERTIFICATE_HOLD = "certificate_hold"
    PRIVILEGE_WITHDRAWN = "privilege_withdrawn"
    AA_COMPROMISE = "aa_compromise"
    REMOVE_FROM_CRL = "remove_from_crl"


@dataclass(frozen=True)
class RevocationResult:
    status: RevocationStatus
    source: Source
    url: str | None = None
    problem: Problem | None = None
    detail: str | None = None
    """Technical detail for diagnostics (HTTP status, responder status); never shown raw."""
    revoked_at: dt.datetime | None = None
    reason: RevocationReason | None = None
    this_update: dt.datetime | None = None
    next_update: dt.datetime | None = None
    from_cache: bool = False

    @property
    def is_definitive(self) -> bool:
        """A trustworthy answer about the certificate (worth caching, no fallback needed)."""
        return self.status in {
            RevocationStatus.GOOD,
            RevocationStatus.REVOKED,
            RevocationStatus.SUSPENDED,
            RevocationStatus.UNKNOWN,
        }


def revoked(
    source: Source,
    url: str | None,
    *,
    revoked_at: dt.datetime | None,
    reason_name: str | None,
    this_update: dt.datetime | None,
    next_update: dt.datetime | None,
) -> RevocationResult:
    """REVOKED or SUSPENDED from cryptography's ReasonFlags value (e.g. "certificateHold")."""
    reason = _REASONS.get(reason_name or "", RevocationReason.UNSPECIFIED)
    hold = reason is RevocationReason.CERTIFICATE_HOLD
    return RevocationResult(
        RevocationStatus.SUSPENDED if hold else RevocationStatus.REVOKED,
        source,
        url,
        revoked_at=revoked_at,
        reason=reason,
        this_update=this_update,
        next_update=next_update,
    )


_REASONS = {
    "unspecified": RevocationReason.UNSPECIFIED,
    "keyCompromise": RevocationReason.KEY_COMPROMISE,
    "cACompromise": RevocationReason.CA_COMPROMISE,
    "affiliationChanged": RevocationReason.AFFILIATION_CHANGED,
    "superseded": RevocationReason.SUPERSEDED,
    "cessationOfOperation": RevocationReason.CESSATION_OF_OPERATION,
    "certificateHold": RevocationReason.CERTIFICATE_HOLD,
    "privilegeWithdrawn": RevocationReason.PRIVILEGE_WITHDRAWN,
    "aACompromise": RevocationReason.AA_COMPROMISE,
    "removeFromCRL": RevocationReason.REMOVE_FROM_CRL,
}

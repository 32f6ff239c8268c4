"""Which certificate on the card is the NES signing certificate, and why not the others.

A card usually holds more than one certificate (signing, authentication, sometimes
encryption, a CA copy, an expired predecessor, a renewed successor waiting for its start
date). The user asks "is my certificate valid?" meaning the qualified signing one, so we
pick it and give every other certificate a typed reason the conversation can explain.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.x509.oid import ExtendedKeyUsageOID

from assistant.pki.facts import CertificateFacts, KeyUsageBit, ValidityState

_CLIENT_AUTH = ExtendedKeyUsageOID.CLIENT_AUTH.dotted_string
_ENCRYPTION = {
    KeyUsageBit.KEY_ENCIPHERMENT,
    KeyUsageBit.DATA_ENCIPHERMENT,
    KeyUsageBit.KEY_AGREEMENT,
}


class NotChosenReason(enum.StrEnum):
    CA = "ca"
    """A CA certificate stored on the card for chain building."""
    AUTHENTICATION = "authentication"
    """Digital signature without non-repudiation, or client-auth EKU: for logging in."""
    ENCRYPTION = "encryption"
    OTHER_USE = "other_use"
    """No key usage that makes it a signing certificate (or none declared)."""
    NOT_QUALIFIED = "not_qualified"
    """A signing certificate without a NES policy while a qualified one exists."""
    EXPIRED = "expired"
    """A signing certificate that has expired (a predecessor, usually)."""
    NOT_YET_VALID = "not_yet_valid"
    """A renewed signing certificate, active once the current one expires."""
    SUPERSEDED = "superseded"
    """Another signing certificate valid at the same time ends later."""


@dataclass(frozen=True)
class SigningChoice:
    chosen: CertificateFacts | None
    """None when no certificate on the card is a signing certificate at all."""
    others: tuple[tuple[CertificateFacts, NotChosenReason], ...]


def pick_signing_certificate(
    certificates: Iterable[CertificateFacts], now: dt.datetime
) -> SigningChoice:
    """Prefer valid now, then qualified, then the one that ends last.

    An expired or not-yet-valid signing certificate is still chosen when it is the only
    one: the user must hear about *their* signing certificate's state, not "none found".
    """
    certs = list(certificates)
    signing = [c for c in certs if c.is_signing_certificate]
    chosen = max(signing, key=lambda c: _rank(c, now), default=None)
    others: list[tuple[CertificateFacts, NotChosenReason]] = []
    for cert in certs:
        if cert is chosen:
            continue
        if cert.is_signing_certificate and chosen is not None:
            others.append((cert, _why_not_this_signing_cert(cert, chosen, now)))
        else:
            others.append((cert, _use_of(cert)))
    return SigningChoice(chosen, tuple(others))


_STATE_ORDER = {
    ValidityState.VALID: 3,
    ValidityState.RENEWAL_DUE: 3,
    ValidityState.NOT_YET_VALID: 2,
    ValidityState.EXPIRED: 1,
}


def _rank(cert: CertificateFacts, now: dt.datetime) -> tuple[int, bool, dt.datetime]:
    return (_STATE_ORDER[cert.validity_at(now).state], cert.is_qualified, cert.not_after)


def _why_not_this_signing_cert(
    cert: CertificateFacts, chosen: CertificateFacts, now: dt.datetime
) -> NotChosenReason:
    state = cert.validity_at(now).state
    if state is ValidityState.EXPIRED:
        return NotChosenReason.EXPIRED
    if state is ValidityState.NOT_YET_VALID:
        return NotChosenReason.NOT_YET_VALID
    if chosen.is_qualified and not cert.is_qualified:
        return NotChosenReason.NOT_QUALIFIED
    return NotChosenReason.SUPERSEDED


def _use_of(cert: CertificateFacts) -> NotChosenReason:
    if cert.is_ca:
        return NotChosenReason.CA
    if _CLIENT_AUTH in cert.extended_key_usage or (
        KeyUsageBit.DIGITAL_SIGNATURE in cert.key_usage
        and KeyUsageBit.NON_REPUDIATION not in cert.key_usage
    ):
        return NotChosenReason.AUTHENTICATION
    if cert.key_usage & _ENCRYPTION:
        return NotChosenReason.ENCRYPTION
    return NotChosenReason.OTHER_USE

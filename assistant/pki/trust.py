"""Trust store and chain building: does the card's certificate lead to a root we trust?

We do not ship Kamu SM's roots (no package carries them; inventing or scraping them here
would be worse than none). The user or the organisation puts the CA's published root and
intermediate certificates (kamusm.gov.tr, "Kök Sertifikalar") in a folder or a PEM
bundle: `NES_ASISTAN_TRUST_DIR` (one or more paths, os.pathsep-separated), or by default
`<config dir>/trust`. Without anchors the chain is still built from the card and the
folder, so revocation can be checked; it just cannot be called TRUSTED.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature

from assistant import paths

TRUST_DIR_ENV = "NES_ASISTAN_TRUST_DIR"
MAX_DEPTH = 8
_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


class ChainStatus(enum.StrEnum):
    TRUSTED = "trusted"
    UNTRUSTED_ROOT = "untrusted_root"
    """The chain ends at a self-signed root that is not in the trust store."""
    INCOMPLETE = "incomplete"
    """An issuer certificate is missing from both the card and the trust store."""
    NO_TRUST_STORE = "no_trust_store"
    """No trust anchors configured at all: the README says where to get them."""


@dataclass(frozen=True)
class TrustStore:
    anchors: tuple[x509.Certificate, ...]
    """Self-signed roots: a chain reaching one of them is trusted."""
    intermediates: tuple[x509.Certificate, ...]
    """CA certificates found next to the roots, used to complete chains."""
    unreadable: tuple[Path, ...] = ()
    """Files that are not certificates (reported, never fatal)."""


@dataclass(frozen=True)
class ChainResult:
    status: ChainStatus
    chain: tuple[x509.Certificate, ...]
    """From the leaf up, as far as it could be built."""
    expired_in_chain: tuple[x509.Certificate, ...] = ()
    """CA certificates on the chain that are outside their validity at `now`."""

    @property
    def issuer(self) -> x509.Certificate | None:
        """The leaf's issuer (what OCSP/CRL checks need), when found."""
        return self.chain[1] if len(self.chain) > 1 else None


def trust_locations() -> list[Path]:
    configured = os.environ.get(TRUST_DIR_ENV)
    if configured:
        return [Path(p).expanduser() for p in configured.split(os.pathsep) if p]
    return [paths.config_dir() / "trust"]


def load_trust_store(locations: Iterable[Path] | None = None) -> TrustStore:
    """Read every certificate in the given folders/bundle files (PEM, several per file, or DER)."""
    anchors: list[x509.Certificate] = []
    intermediates: list[x509.Certificate] = []
    unreadable: list[Path] = []
    for location in trust_locations() if locations is None else locations:
        files = (
            sorted(p for p in location.iterdir() if p.suffix.lower() in _SUFFIXES)
            if location.is_dir()
            else [location]
            if location.is_file()
            else []
        )
        for path in files:
            certs = _read_certificates(path)
            if not certs:
                unreadable.append(path)
            for cert in certs:
                if not _is_ca(cert):
                    continue
                (anchors if _self_signed(cert) else intermediates).append(cert)
    return TrustStore(tuple(anchors), tuple(intermediates), tuple(unreadable))


def build_chain(
    leaf: x509.Certificate,
    card_certificates: Sequence[x509.Certificate],
    store: TrustStore,
    now: dt.datetime,
) -> ChainResult:
    """Walk issuer links (name match + signature) from the leaf to a trust anchor."""
    pool = [*store.anchors, *store.intermediates, *(c for c in card_certificates if _is_ca(c))]
    chain = [leaf]
    current = leaf
    while len(chain) <= MAX_DEPTH:
        if any(_same_key_and_name(current, anchor) for anchor in store.anchors):
            return _result(ChainStatus.TRUSTED, chain, now)
        if _self_signed(current):
            break
        issuer = _find_issuer(current, pool, chain, store, now)
        if issuer is None:
            return _result(ChainStatus.INCOMPLETE, chain, now)
        chain.append(issuer)
        current = issuer
    status = ChainStatus.UNTRUSTED_ROOT if store.anchors else ChainStatus.NO_TRUST_STORE
    return _result(status, chain, now)


def _result(status: ChainStatus, chain: list[x509.Certificate], now: dt.datetime) -> ChainResult:
    expired = tuple(
        c for c in chain[1:] if not c.not_valid_before_utc <= now <= c.not_valid_after_utc
    )
    return ChainResult(status, tuple(chain), expired)


def _find_issuer(
    cert: x509.Certificate,
    pool: list[x509.Certificate],
    chain: list[x509.Certificate],
    store: TrustStore,
    now: dt.datetime,
) -> x509.Certificate | None:
    candidates = [
        c for c in pool if c.subject == cert.issuer and c not in chain and _signed_by(cert, c)
    ]
    # Prefer a trust anchor, then a certificate valid now (roots get re-issued).
    candidates.sort(
        key=lambda c: (
            c in store.anchors,
            c.not_valid_before_utc <= now <= c.not_valid_after_utc,
            c.not_valid_after_utc,
        ),
        reverse=True,
    )
    return candidates[0] if candidates else None


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _self_signed(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer and _signed_by(cert, cert)


def _same_key_and_name(a: x509.Certificate, b: x509.Certificate) -> bool:
    return a.subject == b.subject and a.public_key() == b.public_key()


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return cert.version is x509.Version.v1 and _self_signed(cert)


def _read_certificates(path: Path) -> list[x509.Certificate]:
    try:
        data = path.read_bytes()
    except OSError:
        return []
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except ValueError:
        return []

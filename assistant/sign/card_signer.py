"""A pyHanko `Signer` whose one card access is the guarded `TokenSession.sign_digest`.

pyHanko's own PKCS#11 signer would open a session of its own, log in by itself and so
step around the PIN guard; this one hashes the signed attributes on the host and asks the
card layer for exactly one raw signature. A refusal or failure of the card comes back as
`CardRefusedError` carrying the card layer's `Outcome`, so the caller can say precisely
what happened (wrong PIN, last try, card pulled) and write nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pyhanko.sign.signers.pdf_cms import Signer

from assistant.card.certificates import CardCertificate
from assistant.card.consent import LastTryConsent
from assistant.card.outcomes import PinAttempt
from assistant.secret import Secret

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509

    from assistant.card.token import TokenSession

PLACEHOLDER_SIGNATURE_BYTES = 512
"""Room reserved while pyHanko sizes the signature: more than RSA-4096 or any ECDSA needs."""


class CardRefusedError(Exception):
    """The card layer did not sign; `outcome` says why (no secret is in it)."""

    def __init__(self, outcome: PinAttempt[Any]) -> None:
        super().__init__(outcome.kind.value)
        self.outcome = outcome


class CardSigner(Signer):
    """Signs once, with the key behind `certificate`, through the guarded card layer."""

    def __init__(
        self,
        token: TokenSession,
        pin: Secret | None,
        certificate: CardCertificate,
        chain: Sequence[bytes] = (),
        consent: LastTryConsent | None = None,
    ) -> None:
        from asn1crypto import algos
        from asn1crypto import x509 as asn1_x509
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        from assistant.card.token import signature_hash

        self.digest_algorithm = signature_hash(certificate)
        mechanism = (
            f"{self.digest_algorithm}_rsa"
            if certificate.key_algorithm == "RSA"
            else f"{self.digest_algorithm}_ecdsa"
        )
        signing_cert = asn1_x509.Certificate.load(certificate.der)
        super().__init__(
            signing_cert=signing_cert,
            cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
                [signing_cert, *(asn1_x509.Certificate.load(der) for der in chain)]
            ),
            signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}),
            embed_roots=False,
        )
        self._token = token
        self._pin = pin
        self._key_id = certificate.key_id
        self._consent = consent
        self.signatures_made = 0

    @property
    def signing_certificate(self) -> asn1_x509.Certificate:
        cert = self.signing_cert
        assert cert is not None
        return cert

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        if dry_run:
            return bytes(PLACEHOLDER_SIGNATURE_BYTES)
        if self.signatures_made:
            # One PIN presentation, one signature: a second call would be a retry.
            raise RuntimeError("this signer has already signed once")
        self.signatures_made += 1
        digest = hashlib.new(digest_algorithm, data).digest()
        outcome = self._token.sign_digest(
            self._pin, digest, digest_algorithm, key_id=self._key_id, consent=self._consent
        )
        if not outcome.ok:
            raise CardRefusedError(outcome)
        return outcome.unwrap().signature

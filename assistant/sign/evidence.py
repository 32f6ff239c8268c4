"""Trust and revocation evidence for pyHanko, from our own trust store and revocation code.

pyHanko can fetch OCSP and CRL answers itself; we do not let it: assistant.pki already
knows how to ask the CA (proxy settings, size caps, responder authority, freshness), and
one revocation stack is enough. So the answers are gathered here with
`pki.revocation.fetch_revocation` and handed to pyHanko as local knowledge, with online
fetching of revocation data and certificates switched off. The same answers are what a
PAdES-B-LT signature embeds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from assistant.pki.facts import read_facts
from assistant.pki.revocation import fetch_revocation
from assistant.pki.status import RevocationResult, Source
from assistant.pki.trust import ChainResult, TrustStore

if TYPE_CHECKING:
    import httpx
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation.policy_decl import LocalKnowledge, SignatureValidationSpec
    from pyhanko_certvalidator import ValidationContext


@dataclass(frozen=True)
class Evidence:
    ocsp_responses: tuple[bytes, ...] = ()
    crls: tuple[bytes, ...] = ()
    leaf: RevocationResult | None = None
    """The answer about the signer's own certificate, when one was asked for."""

    @property
    def any(self) -> bool:
        return bool(self.ocsp_responses or self.crls)


def gather(chain: ChainResult, *, client: httpx.Client, now: dt.datetime) -> Evidence:
    """Ask about every certificate on the chain below its top that names a responder or a
    CRL (a root vouches for itself; CAs without URLs have nothing to ask)."""
    ocsp: list[bytes] = []
    crls: list[bytes] = []
    leaf: RevocationResult | None = None
    certs = chain.chain
    for index, (cert, issuer) in enumerate(itertools.pairwise(certs)):
        facts = read_facts(cert)
        if index and not (facts.ocsp_urls or facts.crl_urls):
            continue
        result, raw = fetch_revocation(cert, issuer, client=client, now=now)
        if index == 0:
            leaf = result
        if raw is not None:
            (ocsp if result.source is Source.OCSP else crls).append(raw)
    return Evidence(tuple(ocsp), tuple(crls), leaf)


def combine(first: Evidence, second: Evidence) -> Evidence:
    """Both sets of answers; the leaf answer of the one that asked (`second` first)."""
    return Evidence(
        first.ocsp_responses + second.ocsp_responses,
        first.crls + second.crls,
        second.leaf or first.leaf,
    )


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def to_asn1(certs: Iterable[x509.Certificate]) -> list[asn1_x509.Certificate]:
    from asn1crypto import x509 as asn1_x509

    return [asn1_x509.Certificate.load(der(c)) for c in certs]


def from_asn1(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def signing_context(
    anchors: Sequence[x509.Certificate], chain: Sequence[x509.Certificate], evidence: Evidence
) -> ValidationContext:
    """What pyHanko needs to embed the chain and the answers (PAdES-B-LT), nothing fetched."""
    from pyhanko_certvalidator import ValidationContext

    return ValidationContext(
        trust_roots=to_asn1(anchors),
        other_certs=to_asn1(chain),
        ocsps=list(evidence.ocsp_responses),
        crls=list(evidence.crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def local_knowledge(certs: Iterable[x509.Certificate], evidence: Evidence) -> LocalKnowledge:
    from asn1crypto import crl, ocsp
    from pyhanko.sign.validation.policy_decl import LocalKnowledge
    from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

    known_ocsps = [
        container
        for raw in evidence.ocsp_responses
        for container in OCSPContainer.load_multi(ocsp.OCSPResponse.load(raw))
    ]
    known_crls = [CRLContainer(crl.CertificateList.load(raw)) for raw in evidence.crls]
    return LocalKnowledge(
        known_ocsps=known_ocsps, known_crls=known_crls, known_certs=to_asn1(certs)
    )


def validation_spec(store: TrustStore, knowledge: LocalKnowledge) -> SignatureValidationSpec:
    """ETSI-style validation against our anchors only (never the operating system's),
    revocation data required for the signer, and for CAs and time-stamping units that
    declare where to find it."""
    from pyhanko.sign.validation.policy_decl import (
        CertificateFetchingRule,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import (
        CertRevTrustPolicy,
        FreshnessReqType,
        RevocationCheckingPolicy,
        RevocationCheckingRule,
    )
    from pyhanko_certvalidator.registry import SimpleTrustManager

    trust = SimpleTrustManager.build(trust_roots=to_asn1(store.anchors))

    def policy(end_entity: RevocationCheckingRule) -> CertValidationPolicySpec:
        rules = RevocationCheckingPolicy(
            ee_certificate_rule=end_entity,
            intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
        )
        return CertValidationPolicySpec(
            trust_manager=trust,
            revinfo_policy=CertRevTrustPolicy(
                rules,
                freshness=None,
                freshness_req_type=FreshnessReqType.MAX_DIFF_REVOCATION_VALIDATION,
            ),
        )

    return SignatureValidationSpec(
        cert_validation_policy=policy(RevocationCheckingRule.CRL_OR_OCSP_REQUIRED),
        # A time-stamping unit's certificate is checked where it says how (CRL/OCSP URLs).
        ts_cert_validation_policy=policy(RevocationCheckingRule.CHECK_IF_DECLARED),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
        local_knowledge=knowledge,
    )

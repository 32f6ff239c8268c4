"""Check a signed PDF, a detached `.p7s` (with its content) or an attached `.imz`/`.p7m`.

Each signature is judged by pyHanko's ETSI EN 319 102-1 validation (PAdES: the
long-term procedure, which also takes document time-stamps and embedded validation
data into account; CMS: validation with time), against the roots in our trust store
and the revocation answers the document carries or that assistant.pki fetches now.
Around that verdict we add what a person asks: who, when, qualified or not, where the
chain ends, and for a PDF what the signature covers and what changed after it.
Detached content is hashed in chunks, never read whole.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import httpx
from cryptography import x509

from assistant.pki.facts import read_facts
from assistant.pki.fetch import make_client
from assistant.pki.trust import ChainResult, TrustStore, build_chain, load_trust_store
from assistant.sign import evidence as ev
from assistant.sign.verdict import (
    MODIFIED_AFTER_SIGNING,
    Changes,
    Coverage,
    DocumentKind,
    Indication,
    InputError,
    InputProblem,
    RevocationEvidence,
    SignatureVerdict,
    VerificationReport,
)

if TYPE_CHECKING:
    from asn1crypto import cms
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

CHUNK = 1024 * 1024
SNIFF_BYTES = 1024


def verify_file(
    path: Path,
    content: Path | None = None,
    *,
    store: TrustStore | None = None,
    client: httpx.Client | None = None,
    fetch: bool = True,
    now: dt.datetime | None = None,
    known: ev.Evidence | None = None,
) -> VerificationReport:
    """The verdict on every signature in `path`; `InputError` when it cannot be checked.

    `fetch=False` asks no CA (only what the document carries counts); `known` adds
    answers the caller already has (the signer, checking what it just wrote).
    """
    store = store if store is not None else load_trust_store()
    now = now or dt.datetime.now(dt.UTC)
    own_client = client is None and fetch
    http = client if client is not None else make_client() if fetch else None
    try:
        checker = _Checker(store, http, now, known or ev.Evidence())
        head = _read_head(path).lstrip()
        # An attached CMS (.imz) may carry a PDF within its first bytes: DER or PEM armour
        # decides first, then the PDF header (which may follow a little junk).
        if not head.startswith((b"\x30", b"-----BEGIN")) and b"%PDF-" in head:
            return checker.pdf_file(path)
        return checker.cms_file(path, content)
    finally:
        if own_client and http is not None:
            http.close()


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise InputError(InputProblem.NOT_FOUND, path.name) from None
    except OSError:
        raise InputError(InputProblem.UNREADABLE, path.name) from None


class _Checker:
    def __init__(
        self, store: TrustStore, client: httpx.Client | None, now: dt.datetime, known: ev.Evidence
    ) -> None:
        self.store = store
        self.client = client
        self.now = now
        self.known = known

    # -- PDF -----------------------------------------------------------------------------

    def pdf_file(self, path: Path) -> VerificationReport:
        from pyhanko.pdf_utils.misc import PdfError
        from pyhanko.pdf_utils.reader import PdfFileReader

        try:
            with path.open("rb") as handle:
                try:
                    reader = PdfFileReader(handle, strict=False)
                except PdfError:
                    raise InputError(InputProblem.NOT_SIGNED, path.name) from None
                if reader.encrypted:
                    raise InputError(InputProblem.ENCRYPTED, path.name)
                signatures = list(reader.embedded_regular_signatures)
                if not signatures:
                    raise InputError(InputProblem.NOT_SIGNED, path.name)
                dss_certs, dss_evidence = _dss(reader)
                verdicts = tuple(
                    self._pdf_signature(sig, dss_certs, dss_evidence, reader) for sig in signatures
                )
        except OSError:
            raise InputError(InputProblem.UNREADABLE, path.name) from None
        return VerificationReport(path.name, DocumentKind.PDF, verdicts, len(self.store.anchors))

    # Whole: one pyHanko validation of one PDF signature, from its evidence to our
    # verdict; the pyHanko calls share the validation context built at the top.
    def _pdf_signature(
        self,
        sig: EmbeddedPdfSignature,
        dss_certs: Sequence[x509.Certificate],
        dss_evidence: ev.Evidence,
        reader: Any,
    ) -> SignatureVerdict:
        from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
        from pyhanko.sign.validation.ades import (
            ades_basic_validation,
            ades_lta_validation,
            ades_with_time_validation,
        )
        from pyhanko.sign.validation.policy_decl import PdfSignatureValidationSpec

        leaf = ev.from_asn1(sig.signer_cert)
        embedded = [ev.from_asn1(c) for c in sig.other_embedded_certs] + list(dss_certs)
        chain, fetched = self._chain_and_evidence(leaf, embedded)
        carried = ev.combine(dss_evidence, _archived_revinfo(sig))
        knowledge = ev.local_knowledge([*embedded, *chain.chain], ev.combine(carried, fetched))
        spec = PdfSignatureValidationSpec(
            ev.validation_spec(self.store, knowledge), diff_policy=DEFAULT_DIFF_POLICY
        )
        # The standard's procedure for what the signature carries: basic validation (EN
        # 319 102-1 §5.3) without a time-stamp, validation with time (§5.5) with one, and
        # the long-term procedure (§5.6.3) once document time-stamps follow it.
        result: Any
        timing = self._timing()
        if _doc_timestamp_after(sig, reader):
            result = asyncio.run(ades_lta_validation(sig, spec, timing_info=timing))
        else:
            validate = (
                ades_with_time_validation
                if _has_signature_timestamp(sig.signer_info)
                else ades_basic_validation
            )
            result = asyncio.run(
                validate(
                    sig.signed_data,
                    spec.signature_validation_spec,
                    raw_digest=sig.compute_digest(),
                    timing_info=timing,
                )
            )
        coverage, changes, modified = _integrity(sig)
        indication, reason = _indication(result.ades_subindic)
        if modified and indication is not Indication.FAILED:
            indication, reason = Indication.FAILED, MODIFIED_AFTER_SIGNING
        has_revinfo = carried.any
        timestamp = _timestamp_time(result.api_status)
        subfilter = str(sig.sig_object.get("/SubFilter", ""))
        return self._verdict(
            indication,
            reason,
            label=sig.field_name,
            leaf=leaf,
            chain=chain,
            evidence=fetched,
            embedded_revinfo=has_revinfo,
            claimed=sig.self_reported_timestamp
            or _claimed_time(result.api_status, sig.signer_info),
            timestamp=timestamp,
            coverage=coverage,
            changes=changes,
            level=_pades_level(
                subfilter, timestamp, has_revinfo, _doc_timestamp_after(sig, reader)
            ),
            revocation_details=getattr(result.api_status, "revocation_details", None),
        )

    # -- CMS -----------------------------------------------------------------------------

    def cms_file(self, path: Path, content: Path | None) -> VerificationReport:

        try:
            data = path.read_bytes()
        except OSError:
            raise InputError(InputProblem.UNREADABLE, path.name) from None
        info = _load_content_info(data)
        if info is None:
            raise InputError(InputProblem.NOT_SIGNED, path.name)
        signed_data: cms.SignedData = info["content"]
        attached = signed_data["encap_content_info"]["content"].native is not None
        content_path: Path | None = None
        digests: dict[str, bytes] = {}
        if not attached:
            content_path = content or _default_content(path)
            if content_path is None:
                raise InputError(InputProblem.CONTENT_MISSING, path.name)
            algorithms = {
                si["digest_algorithm"]["algorithm"].native for si in signed_data["signer_infos"]
            }
            digests = _hash_file(content_path, algorithms)
        verdicts = tuple(
            self._cms_signer(one, digests.get(si["digest_algorithm"]["algorithm"].native))
            for one, si in _per_signer(signed_data)
        )
        if not verdicts:
            raise InputError(InputProblem.NOT_SIGNED, path.name)
        return VerificationReport(
            path.name,
            DocumentKind.CMS_ATTACHED if attached else DocumentKind.CMS_DETACHED,
            verdicts,
            len(self.store.anchors),
            content_name=content_path.name if content_path is not None else None,
        )

    def _cms_signer(
        self, signed_data: cms.SignedData, raw_digest: bytes | None
    ) -> SignatureVerdict:
        from pyhanko.sign.ades.report import AdESIndeterminate
        from pyhanko.sign.general import extract_certificate_info
        from pyhanko.sign.validation.ades import ades_basic_validation, ades_with_time_validation

        signer_info = signed_data["signer_infos"][0]
        try:
            certs = extract_certificate_info(signed_data)
        except Exception:
            return _no_signer_certificate(
                signer_info, AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND
            )
        leaf = ev.from_asn1(certs.signer_cert)
        embedded = [ev.from_asn1(c) for c in certs.other_certs]
        chain, evidence = self._chain_and_evidence(leaf, embedded)
        carried = _cms_revinfo(signed_data)
        knowledge = ev.local_knowledge([*embedded, *chain.chain], ev.combine(carried, evidence))
        spec = ev.validation_spec(self.store, knowledge)
        # Validation "with time" (EN 319 102-1 §5.5) needs a signature time-stamp to work
        # with; without one the basic validation (§5.3) is the standard's answer.
        validate = (
            ades_with_time_validation
            if _has_signature_timestamp(signer_info)
            else ades_basic_validation
        )
        result = asyncio.run(
            validate(signed_data, spec, raw_digest=raw_digest, timing_info=self._timing())
        )
        indication, reason = _indication(result.ades_subindic)
        timestamp = _timestamp_time(result.api_status)
        return self._verdict(
            indication,
            reason,
            label=None,
            leaf=leaf,
            chain=chain,
            evidence=evidence,
            embedded_revinfo=carried.any,
            claimed=_claimed_time(result.api_status, signer_info),
            timestamp=timestamp,
            level="CAdES-B-T" if timestamp is not None else "CAdES-B-B",
            revocation_details=getattr(result.api_status, "revocation_details", None),
        )

    # -- shared --------------------------------------------------------------------------

    def _timing(self) -> Any:
        from pyhanko_certvalidator.ltv.types import ValidationTimingInfo

        return ValidationTimingInfo(self.now, self.now, point_in_time_validation=False)

    def _chain_and_evidence(
        self, leaf: x509.Certificate, embedded: Sequence[x509.Certificate]
    ) -> tuple[ChainResult, ev.Evidence]:
        chain = build_chain(leaf, embedded, self.store, self.now)
        if self.client is None or chain.issuer is None:
            return chain, self.known
        return chain, ev.combine(self.known, ev.gather(chain, client=self.client, now=self.now))

    def _verdict(
        self,
        indication: Indication,
        reason: str | None,
        *,
        label: str | None,
        leaf: x509.Certificate,
        chain: ChainResult,
        evidence: ev.Evidence,
        embedded_revinfo: bool,
        claimed: dt.datetime | None,
        timestamp: dt.datetime | None,
        level: str,
        revocation_details: Any,
        coverage: Coverage | None = None,
        changes: Changes | None = None,
    ) -> SignatureVerdict:
        facts = read_facts(leaf)
        revoked_at = evidence.leaf.revoked_at if evidence.leaf is not None else None
        if revoked_at is None and revocation_details is not None:
            revoked_at = getattr(revocation_details, "revocation_date", None)
        source = (
            RevocationEvidence.EMBEDDED
            if embedded_revinfo
            else RevocationEvidence.FETCHED
            if evidence.any
            else RevocationEvidence.NONE
        )
        return SignatureVerdict(
            indication=indication,
            reason=reason,
            label=label,
            signer_name=facts.holder_name,
            signer_tckn_masked=facts.tckn_masked,
            issuer_name=facts.issuer_name,
            claimed_time=claimed,
            timestamp_time=timestamp,
            qualified=facts.is_qualified,
            chain=chain.status,
            revocation=evidence.leaf.status if evidence.leaf is not None else None,
            revocation_evidence=source,
            revoked_at=revoked_at,
            coverage=coverage,
            changes=changes,
            level=level,
        )


def _indication(subindication: Any) -> tuple[Indication, str | None]:
    from pyhanko.sign.ades.report import AdESStatus

    status = subindication.status
    if status is AdESStatus.PASSED:
        return Indication.PASSED, None
    kind = Indication.FAILED if status is AdESStatus.FAILED else Indication.INDETERMINATE
    return kind, str(subindication.standard_name)


def _integrity(sig: EmbeddedPdfSignature) -> tuple[Coverage, Changes | None, bool]:
    """What the byte ranges cover, what the later updates did, and whether those updates
    change what was signed (pyHanko's difference analysis, DocMDP taken into account)."""
    from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, DiffResult
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    try:
        sig.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)  # type: ignore[no-untyped-call]
        info = sig.summarise_integrity_info()
    except Exception:
        return Coverage.PARTIAL, None, True
    level = info["coverage"]
    coverage = (
        Coverage.ENTIRE_FILE
        if level == SignatureCoverageLevel.ENTIRE_FILE
        else Coverage.ENTIRE_REVISION
        if level == SignatureCoverageLevel.ENTIRE_REVISION
        else Coverage.PARTIAL
    )
    diff = info["diff_result"]
    changes: Changes | None = None
    if coverage is Coverage.ENTIRE_FILE:
        changes = Changes.NONE
    elif isinstance(diff, DiffResult):
        changes = Changes[diff.modification_level.name]
    elif diff is not None:
        changes = Changes.OTHER
    modified = coverage is Coverage.PARTIAL or info["docmdp_ok"] is False
    return coverage, changes, modified


def _timestamp_time(status: Any) -> dt.datetime | None:
    ts = getattr(status, "timestamp_validity", None)
    if ts is None or not (ts.intact and ts.valid):
        return None
    value: dt.datetime = ts.timestamp
    return value


def _claimed_time(status: Any, signer_info: cms.SignerInfo) -> dt.datetime | None:
    from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

    claimed = getattr(status, "signer_reported_dt", None)
    if claimed is not None:
        return claimed  # type: ignore[no-any-return]
    try:
        return extract_self_reported_ts(signer_info)
    except Exception:
        return None


def _no_signer_certificate(signer_info: cms.SignerInfo, subindication: Any) -> SignatureVerdict:
    from assistant.pki.trust import ChainStatus

    indication, reason = _indication(subindication)
    return SignatureVerdict(
        indication=indication,
        reason=reason,
        label=None,
        signer_name=None,
        signer_tckn_masked=None,
        issuer_name=None,
        claimed_time=_claimed_time(None, signer_info),
        timestamp_time=None,
        qualified=False,
        chain=ChainStatus.INCOMPLETE,
        revocation=None,
        revocation_evidence=RevocationEvidence.NONE,
        revoked_at=None,
    )


def _pades_level(subfilter: str, timestamp: dt.datetime | None, revinfo: bool, lta: bool) -> str:
    family = "PAdES" if subfilter == "/ETSI.CAdES.detached" else "PDF"
    if timestamp is None:
        return f"{family}-B-B"
    if revinfo:
        return f"{family}-B-LTA" if lta else f"{family}-B-LT"
    return f"{family}-B-T"


def _has_signature_timestamp(signer_info: cms.SignerInfo) -> bool:
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    return next(extract_tst_data_iter(signer_info, signed=False), None) is not None


def _doc_timestamp_after(sig: EmbeddedPdfSignature, reader: Any) -> bool:
    return any(
        ts.signed_revision > sig.signed_revision for ts in reader.embedded_timestamp_signatures
    )


def _dss(reader: Any) -> tuple[list[x509.Certificate], ev.Evidence]:
    """The certificates and OCSP/CRL answers in the PDF's Document Security Store."""
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], ev.Evidence()
    certs = [ev.from_asn1(c) for c in dss.load_certs()]
    ocsp = tuple(r.get_object().read_data(DecodePurpose.OCSP_RESPONSE) for r in dss.ocsps)
    crls = tuple(r.get_object().read_data(DecodePurpose.CRL) for r in dss.crls)
    return certs, ev.Evidence(ocsp, crls)


def _archived_revinfo(sig: EmbeddedPdfSignature) -> ev.Evidence:
    """Adobe's revocation-info-archival signed attribute (older LTV signatures)."""
    for attr in sig.signer_info["signed_attrs"]:
        if attr["type"].native == "adobe_revocation_info_archival":
            value = attr["values"][0]
            return ev.Evidence(
                tuple(o.dump() for o in value["ocsp"] or ()),
                tuple(c.dump() for c in value["crl"] or ()),
            )
    return ev.Evidence()


def _cms_revinfo(signed_data: cms.SignedData) -> ev.Evidence:
    """CRLs and OCSP answers (RFC 5940 `other` revocation info) in the SignedData itself."""
    ocsp: list[bytes] = []
    crls: list[bytes] = []
    for choice in signed_data["crls"] or ():
        if choice.name == "crl":
            crls.append(choice.chosen.dump())
        elif choice.chosen["other_rev_info_format"].native == "ocsp_response":
            ocsp.append(choice.chosen["other_rev_info"].dump())
    return ev.Evidence(tuple(ocsp), tuple(crls))


def _load_content_info(data: bytes) -> cms.ContentInfo | None:
    """DER, PEM (PKCS7/CMS armour) or bare Base64: Turkish tools write all three (?)."""
    from asn1crypto import cms, pem

    candidates = [data]
    if pem.detect(data):
        _, _, body = pem.unarmor(data)
        candidates = [body]
    elif data[:1] != b"\x30":
        try:
            candidates = [base64.b64decode(b"".join(data.split()), validate=True)]
        except ValueError:
            return None
    for candidate in candidates:
        try:
            info = cms.ContentInfo.load(candidate)
            if info["content_type"].native != "signed_data":
                return None
            info["content"]["signer_infos"].native  # noqa: B018 - parse now, fail here
            return info
        except (ValueError, TypeError, KeyError):
            return None
    return None


def _default_content(signature: Path) -> Path | None:
    """`rapor.docx.p7s` signs `rapor.docx` when that file is beside it."""
    if signature.suffix.lower() not in (".p7s", ".sig"):
        return None
    candidate = signature.with_suffix("")
    return candidate if candidate.is_file() else None


def _hash_file(path: Path, algorithms: set[str]) -> dict[str, bytes]:
    hashers = {
        name: hashlib.new(name) for name in algorithms if name in hashlib.algorithms_available
    }
    try:
        with path.open("rb") as handle:
            for chunk in _chunks(handle):
                for hasher in hashers.values():
                    hasher.update(chunk)
    except FileNotFoundError:
        raise InputError(InputProblem.CONTENT_MISSING, path.name) from None
    except OSError:
        raise InputError(InputProblem.CONTENT_UNREADABLE, path.name) from None
    return {name: hasher.digest() for name, hasher in hashers.items()}


def _chunks(handle: IO[bytes]) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


def _per_signer(signed_data: cms.SignedData) -> Iterator[tuple[cms.SignedData, cms.SignerInfo]]:
    """pyHanko judges a SignedData with exactly one SignerInfo: parallel signatures (several
    signers of the same content) are split into one copy per signer."""
    from asn1crypto import cms

    infos = list(signed_data["signer_infos"])
    if len(infos) == 1:
        yield signed_data, infos[0]
        return
    for info in infos:
        copy = cms.SignedData.load(signed_data.dump())
        copy["signer_infos"] = cms.SignerInfos([cms.SignerInfo.load(info.dump())])
        yield copy, info

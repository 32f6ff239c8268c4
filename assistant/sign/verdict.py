"""The typed answer to "is this signed document valid?", in ETSI EN 319 102-1's terms.

Each signature gets an indication (PASSED, FAILED, INDETERMINATE) and, unless it passed,
the standard's sub-indication as its reason (`HASH_FAILURE`, `REVOKED_NO_POE`, …), plus
the facts a person asks about: who signed (T.C. Kimlik No masked), when (the claimed time
and a time-stamp), whether the certificate is a qualified NES, where the chain ends,
revocation, and for a PDF what the signature covers and what was changed after it.
`MODIFIED_AFTER_SIGNING` is ours: the standard judges the signature, a person also needs
to hear that the PDF they hold is not the one that was signed. Nothing here words
anything (see `texts`).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from assistant.pki.status import RevocationStatus
from assistant.pki.trust import ChainStatus


class Indication(enum.StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INDETERMINATE = "indeterminate"


MODIFIED_AFTER_SIGNING = "MODIFIED_AFTER_SIGNING"
NO_SIGNATURE = "NO_SIGNATURE"


class DocumentKind(enum.StrEnum):
    PDF = "pdf"
    CMS_DETACHED = "cms_detached"
    """A `.p7s` whose content is another file."""
    CMS_ATTACHED = "cms_attached"
    """A `.imz` / `.p7m` carrying its content inside."""


class Coverage(enum.StrEnum):
    """What a PDF signature's byte ranges cover."""

    ENTIRE_FILE = "entire_file"
    ENTIRE_REVISION = "entire_revision"
    """Its revision, with incremental updates added after it."""
    PARTIAL = "partial"
    """Not even its own revision: a sign of tampering."""


class Changes(enum.StrEnum):
    """What the updates after a PDF signature did (pyHanko's difference analysis)."""

    NONE = "none"
    LTA_UPDATES = "lta_updates"
    """Only validation data and document time-stamps: part of long-term signing."""
    FORM_FILLING = "form_filling"
    """Form fields filled in or further signatures added."""
    ANNOTATIONS = "annotations"
    """Comments and other annotations added."""
    OTHER = "other"
    """Anything else, the page content itself for instance."""


class RevocationEvidence(enum.StrEnum):
    EMBEDDED = "embedded"
    """The document carries OCSP/CRL answers (PAdES DSS, CMS revocation data)."""
    FETCHED = "fetched"
    """We asked the CA just now."""
    NONE = "none"


@dataclass(frozen=True)
class SignatureVerdict:
    indication: Indication
    reason: str | None
    """ETSI EN 319 102-1 sub-indication name, or MODIFIED_AFTER_SIGNING; None if passed."""
    label: str | None
    """The PDF signature field's name; None for CMS."""
    signer_name: str | None
    signer_tckn_masked: str | None
    issuer_name: str | None
    claimed_time: dt.datetime | None
    """The signing time the signer's computer wrote (a claim, not proof)."""
    timestamp_time: dt.datetime | None
    """The time-stamp authority's time, when a valid signature time-stamp is present."""
    qualified: bool
    """A NES policy OID or the ETSI QcCompliance statement in the signer's certificate."""
    chain: ChainStatus
    revocation: RevocationStatus | None
    """Our own answer for the signer's certificate now (None: not asked / not possible)."""
    revocation_evidence: RevocationEvidence
    revoked_at: dt.datetime | None
    coverage: Coverage | None = None
    changes: Changes | None = None
    level: str | None = None
    """"PAdES-B-LT", "CAdES-B-T", …: what the document carries, not a judgement."""


@dataclass(frozen=True)
class VerificationReport:
    file_name: str
    kind: DocumentKind
    signatures: tuple[SignatureVerdict, ...]
    trust_anchors: int
    """How many trusted roots were configured: 0 means no chain can be called trusted."""
    content_name: str | None = None
    """The detached content that was checked against a `.p7s`."""

    @property
    def indication(self) -> Indication:
        """The worst of the signatures: one failure fails the document."""
        found = {s.indication for s in self.signatures}
        if not self.signatures or Indication.FAILED in found:
            return Indication.FAILED
        if Indication.INDETERMINATE in found:
            return Indication.INDETERMINATE
        return Indication.PASSED

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.indication]


EXIT_CODES = {Indication.PASSED: 0, Indication.FAILED: 1, Indication.INDETERMINATE: 2}


class InputProblem(enum.StrEnum):
    """Why a file could not be checked at all (`nes-asistan verify` exits 65/66)."""

    NOT_FOUND = "not_found"
    UNREADABLE = "unreadable"
    NOT_SIGNED = "not_signed"
    """A PDF without signatures, or a file that is neither PDF nor CMS."""
    CONTENT_MISSING = "content_missing"
    """A detached signature, and its content file was not given or not found."""
    CONTENT_UNREADABLE = "content_unreadable"
    ENCRYPTED = "encrypted"


class InputError(Exception):
    def __init__(self, problem: InputProblem, name: str) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.name = name

"""PAdES: sign a PDF with the card, as an incremental update that leaves every byte of
the original in place.

Levels: B-B always; B-T when a time-stamp service is configured; the chain and the CA's
OCSP/CRL answers are embedded (a DSS) whenever they can be fetched, which with a
time-stamp is B-LT; B-LTA adds a document time-stamp over it all on request. Without a
time-stamp the embedded data still helps a verifier, but ETSI calls the result B-B:
B-LT is defined on top of B-T.

pyHanko streams the original from its file and hashes the output in chunks, so a large
PDF does not sit in memory twice.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from assistant.card.consent import LastTryConsent
from assistant.pki.trust import TrustStore
from assistant.secret import Secret
from assistant.sign import appearance
from assistant.sign import evidence as ev
from assistant.sign.output import OutputForm, write_beside
from assistant.sign.signing import (
    CardKey,
    Environment,
    Level,
    Prepared,
    Signed,
    SignKind,
    SignOptions,
    SignOutcome,
    failure_outcome,
    revocation_usable,
    run_signing,
    signer_for,
)
from assistant.sign.tsa import TsaSettings
from assistant.sign.verdict import Indication, VerificationReport

FIELD_PREFIX = "NES-Imza"


def sign_pdf(
    source: Path,
    key: CardKey,
    pin: Secret | None,
    *,
    consent: LastTryConsent | None = None,
    options: SignOptions | None = None,
    tsa: TsaSettings | None = None,
    store: TrustStore | None = None,
    client: httpx.Client | None = None,
    fetch: bool = True,
    now: dt.datetime | None = None,
) -> SignOutcome:
    """Sign `source` into `<stem>-imzali.pdf` beside it, check the copy, and say how.

    `tsa` None means no time-stamp (callers pass `tsa_from_environment()`); `fetch=False`
    asks no CA (B-B / B-T without embedded revocation data).
    """

    def body(prepared: Prepared, environment: Environment) -> SignOutcome:
        job = _Job(source, key, pin, consent, options or SignOptions(), prepared, environment)
        return job.run()

    return run_signing(key, store=store, client=client, tsa=tsa, now=now, fetch=fetch, body=body)


@dataclass(frozen=True)
class _Job:
    source: Path
    key: CardKey
    pin: Secret | None
    consent: LastTryConsent | None
    options: SignOptions
    prepared: Prepared
    environment: Environment

    def run(self) -> SignOutcome:
        from pyhanko.pdf_utils.misc import PdfError

        from assistant.sign.verify import verify_file

        embed = self.options.embed_validation_data and revocation_usable(self.prepared)
        level = _level(self.environment.tsa is not None, embed, self.options.archive)
        reports: list[VerificationReport] = []

        def write(handle: IO[bytes]) -> None:
            with self.source.open("rb") as original:
                self._write_signed(original, handle, embed, level)

        def check(path: Path) -> bool:
            environment = self.environment
            report = verify_file(path, store=environment.store, fetch=False, now=environment.now)
            reports.append(report)
            return report.indication is not Indication.FAILED

        try:
            written = write_beside(self.source, OutputForm.PADES, write, check)
        except _EncryptedError:
            return SignOutcome(SignKind.ENCRYPTED_PDF)
        except appearance.FontMissingError as missing:
            return SignOutcome(SignKind.FONT_MISSING, detail=str(missing))
        except PdfError as bad:  # PdfReadError too: not a PDF pyHanko can add to
            return SignOutcome(SignKind.NOT_A_PDF, detail=type(bad).__name__)
        except Exception as exc:
            outcome = failure_outcome(exc)
            if outcome is None:
                raise
            return outcome
        if written is None:
            return SignOutcome(SignKind.CHECK_FAILED, detail=reports[-1].signatures[-1].reason)
        leaf = self.prepared.evidence.leaf
        signed = Signed(
            written,
            OutputForm.PADES,
            level,
            embed,
            leaf,
            dataclasses.replace(reports[-1], file_name=written.name),
        )
        return SignOutcome(SignKind.OK, signed)

    def _write_signed(
        self, original: IO[bytes], output: IO[bytes], embed: bool, level: Level
    ) -> None:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign.fields import SigSeedSubFilter
        from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

        writer = IncrementalPdfFileWriter(original, strict=False)
        if writer.prev.encrypted:
            raise _EncryptedError
        prepared, environment = self.prepared, self.environment
        signer = signer_for(self.key, self.pin, self.consent, prepared.chain)
        name = _free_field_name(writer)
        timestamper = environment.tsa.timestamper() if environment.tsa is not None else None
        metadata = PdfSignatureMetadata(
            field_name=name,
            md_algorithm=signer.digest_algorithm,
            subfilter=SigSeedSubFilter.PADES,
            embed_validation_info=embed,
            validation_context=(
                ev.signing_context(prepared.anchors, prepared.chain.chain[1:], prepared.evidence)
                if embed
                else None
            ),
            use_pades_lta=level is Level.B_LTA,
        )
        field_spec = None
        style: Any = None
        if self.options.visible:
            page = self.options.page
            field_spec = appearance.field_spec(name, page, _page_box(writer, page))
            style = appearance.stamp_style()
        pdf_signer = PdfSigner(
            metadata, signer, timestamper=timestamper, stamp_style=style, new_field_spec=field_spec
        )
        asyncio.run(pdf_signer.async_sign_pdf(writer, output=output))


class _EncryptedError(Exception):
    pass


def _level(timestamped: bool, embedded: bool, archive: bool) -> Level:
    if not timestamped:
        return Level.B_B
    if not embedded:
        return Level.B_T
    return Level.B_LTA if archive else Level.B_LT


def _free_field_name(writer: Any) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, *_ in enumerate_sig_fields(writer.prev, filled_status=None)}
    number = 1
    while f"{FIELD_PREFIX}-{number}" in taken:
        number += 1
    return f"{FIELD_PREFIX}-{number}"


def _page_box(writer: Any, page: int) -> tuple[float, float, float, float]:
    """The page's MediaBox, which may be inherited from the page tree (A4 if absent)."""
    node = writer.find_page_for_modification(page)[0].get_object()
    while node is not None:
        if "/MediaBox" in node:
            llx, lly, urx, ury = (float(v) for v in node["/MediaBox"])
            return llx, lly, urx, ury
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return 0.0, 0.0, 595.0, 842.0

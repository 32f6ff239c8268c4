"""CAdES: sign any file with the card, as a detached `.p7s` or an attached `.imz`.

A detached signature leaves the file as it is and is exchanged beside it; an attached
one carries the content inside (what Turkish signing tools call `.imz`: CAdES-BES with
the content enclosed, as far as public sources say, see NOTES.md). The content is
hashed in chunks for a detached signature; an attached one holds it in the output.
Levels: CAdES-B-B, and B-T with a configured time-stamp service (a signature
time-stamp as an unsigned attribute). Revocation data is not embedded in CAdES (no
B-LT): NOTES.md says why.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from pathlib import Path
from typing import IO

import httpx

from assistant.card.consent import LastTryConsent
from assistant.pki.trust import TrustStore
from assistant.secret import Secret
from assistant.sign.output import OutputForm, write_beside
from assistant.sign.signing import (
    CardKey,
    Environment,
    Level,
    Prepared,
    Signed,
    SignKind,
    SignOutcome,
    failure_outcome,
    run_signing,
    signer_for,
)
from assistant.sign.tsa import TsaSettings
from assistant.sign.verdict import Indication, VerificationReport


def sign_file(
    source: Path,
    key: CardKey,
    pin: Secret | None,
    *,
    attached: bool = False,
    consent: LastTryConsent | None = None,
    tsa: TsaSettings | None = None,
    store: TrustStore | None = None,
    client: httpx.Client | None = None,
    fetch: bool = True,
    now: dt.datetime | None = None,
) -> SignOutcome:
    """`rapor.docx` → `rapor.docx.p7s` (detached) or `rapor.docx.imz` (attached), checked."""

    def body(prepared: Prepared, environment: Environment) -> SignOutcome:
        return _sign(
            source, key, pin, consent, attached=attached, prepared=prepared, environment=environment
        )

    return run_signing(key, store=store, client=client, tsa=tsa, now=now, fetch=fetch, body=body)


# Whole: `write` and `check` are closures over one signing attempt and the report they
# share, so the check always runs on exactly what was written.
def _sign(
    source: Path,
    key: CardKey,
    pin: Secret | None,
    consent: LastTryConsent | None,
    *,
    attached: bool,
    prepared: Prepared,
    environment: Environment,
) -> SignOutcome:
    from assistant.sign.verify import verify_file

    form = OutputForm.ATTACHED if attached else OutputForm.DETACHED
    reports: list[VerificationReport] = []

    def write(handle: IO[bytes]) -> None:
        signer = signer_for(key, pin, consent, prepared.chain)
        timestamper = environment.tsa.timestamper() if environment.tsa is not None else None
        with source.open("rb") as content:
            info = asyncio.run(
                signer.async_sign_general_data(
                    content.read() if attached else content,
                    signer.digest_algorithm,
                    detached=not attached,
                    use_cades=True,
                    timestamper=timestamper,
                )
            )
        handle.write(info.dump())

    def check(path: Path) -> bool:
        report = verify_file(
            path,
            None if attached else source,
            store=environment.store,
            fetch=False,
            now=environment.now,
            known=prepared.evidence,
        )
        reports.append(report)
        return report.indication is not Indication.FAILED

    try:
        written = write_beside(source, form, write, check)
    except Exception as exc:
        outcome = failure_outcome(exc)
        if outcome is None:
            raise
        return outcome
    if written is None:
        return SignOutcome(SignKind.CHECK_FAILED, detail=reports[-1].signatures[-1].reason)
    level = Level.B_T if environment.tsa is not None else Level.B_B
    signed = Signed(
        written,
        form,
        level,
        False,
        prepared.evidence.leaf,
        dataclasses.replace(reports[-1], file_name=written.name),
    )
    return SignOutcome(SignKind.OK, signed)

"""`sign.*` actions: sign a document with the NES key on the card, and check signed ones.

The documents are files on this machine: the person types (or drops) a path, the agent
reads it here and writes the signed copy beside it (assistant.sign.output: a new name,
atomically, never over the original or any existing file). Nothing is sent anywhere;
the only network traffic is the CA's OCSP/CRL answers and, when configured, the
time-stamp service, which see the certificate and a hash, never the document.

`sign.document` is dangerous: it runs only with the consent of the confirm step before it
(the person typed that signing is their will). That consent is for the signature, not for
spending the last PIN try; `sign.document_last_try` is the one call the separate "SON
DENEME" confirmation allows, as `card.verify_pin_last_try` is for verifying.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.agent.actions import PIN_OUTPUTS, card_failure, pin_failure
from assistant.agent.outcome_names import PinOutcome
from assistant.card.consent import LastTryConsent, PinOperation
from assistant.card.outcomes import OutcomeKind
from assistant.card.service import CardService
from assistant.flow.actions import ActionContext, ActionResult, action
from assistant.secret import Secret

if TYPE_CHECKING:
    from assistant.card.token import TokenSession
    from assistant.sign.signing import CardKey, SignOutcome

PREVIEW_OUTCOMES = ("pdf", "file", "not_found", "folder", "unreadable", "encrypted")
PREVIEW_OUTPUTS: dict[str, type] = {
    "path": str,
    "name": str,
    "size": str,
    "pages": int,
    "sha256_short": str,
    "signatures": int,
}
SIGN_KIND_OUTCOMES = (
    "certificate_expired",
    "certificate_not_yet_valid",
    "certificate_revoked",
    "certificate_suspended",
    "not_found",
    "not_a_pdf",
    "encrypted_pdf",
    "cannot_write",
    "timestamp_failed",
    "font_missing",
    "check_failed",
)
"""`SignKind` values that are flow outcomes under the same name."""
SIGN_OUTCOMES = (*PinOutcome, "invalid", "no_certificate", *SIGN_KIND_OUTCOMES)
SIGN_OUTPUTS: dict[str, type] = {
    **PIN_OUTPUTS,
    "signed_name": str,
    "folder": str,
    "level": str,
    "indication": str,
}
signing_action = functools.partial(
    action,
    outcomes=SIGN_OUTCOMES,
    inputs={"path": str, "kind": str, "layout": str, "pin": Secret},
    outputs=SIGN_OUTPUTS,
    dangerous=True,
    local_only=True,
    context=True,
)
"""The one contract of both ways to sign: with the will-consent, and at the last try."""
VERIFY_OUTCOMES = (
    "passed",
    "failed",
    "indeterminate",
    "not_found",
    "unreadable",
    "not_signed",
    "content_missing",
    "content_unreadable",
    "encrypted",
)
VERIFY_OUTPUTS: dict[str, type] = {"name": str, "summary": str}


def document_path(typed: str) -> Path:
    """What the person typed or dropped: terminals paste a dropped file quoted (and
    some with `file://`), people type `~/Belgeler/dilekce.pdf`."""
    text = typed.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    if text.startswith("file://"):
        from urllib.parse import unquote, urlparse

        text = unquote(urlparse(text).path)
    return Path(text).expanduser().resolve()


class SignActions:
    """`now` is injectable so tests can sign at a fixed time."""

    def __init__(self, card: CardService, now: Callable[[], dt.datetime] | None = None) -> None:
        self.card = card
        self._now = now or (lambda: dt.datetime.now(dt.UTC))

    @action(
        "sign.preview",
        outcomes=PREVIEW_OUTCOMES,
        inputs={"path": str},
        outputs=PREVIEW_OUTPUTS,
        local_only=True,
        context=True,
    )
    def preview(self, context: ActionContext, path: str) -> ActionResult:
        """What will be signed: name, size, pages, short SHA-256; the file stays here."""
        from assistant.sign.preview import describe_document

        source = document_path(path)
        if source.is_dir():
            return ActionResult("folder", {"name": source.name})
        try:
            shown = describe_document(source)
        except FileNotFoundError:
            return ActionResult("not_found", {"name": source.name})
        except OSError:
            return ActionResult("unreadable", {"name": source.name})
        if shown.encrypted:
            return ActionResult("encrypted", {"name": shown.name})
        size = _size(shown.size, context.language)
        outputs: dict[str, object] = {
            "path": str(source),
            "name": shown.name,
            "size": size,
            "sha256_short": shown.sha256_short,
            "signatures": shown.signatures,
        }
        if shown.pages is not None:
            outputs["pages"] = shown.pages
        return ActionResult("pdf" if shown.is_pdf else "file", outputs)

    @signing_action("sign.document")
    def document(
        self, context: ActionContext, path: str, kind: str, layout: str, pin: Secret
    ) -> ActionResult:
        """Sign with the will-consent only: the card layer still refuses a last try.

        `kind` is what `sign.preview` found ("pdf" → PAdES); `layout` the person's choice:
        "visible" / "invisible" box for a PDF, "detached" (.p7s) / "attached" (.imz) for
        any other file."""
        return self._sign(path, kind, layout, pin, None)

    @signing_action("sign.document_last_try")
    def document_last_try(
        self, context: ActionContext, path: str, kind: str, layout: str, pin: Secret
    ) -> ActionResult:
        """The last PIN try, with the consent the "SON DENEME" confirmation gave."""
        opened = self.card.token()
        token = opened.unwrap() if opened is not None and opened.ok else None
        consent = (
            LastTryConsent.grant(
                context.consent, operation=PinOperation.SIGN_DOCUMENT, token_serial=token.serial
            )
            if token is not None
            else None
        )
        return self._sign(path, kind, layout, pin, consent)

    @action(
        "sign.verify",
        outcomes=VERIFY_OUTCOMES,
        inputs={"path": str, "content": str},
        outputs=VERIFY_OUTPUTS,
        local_only=True,
        context=True,
    )
    def verify(self, context: ActionContext, path: str, content: str) -> ActionResult:
        from assistant.i18n.catalog import translator
        from assistant.pki.trust import trust_locations
        from assistant.sign.cli import quiet_pyhanko
        from assistant.sign.texts import word_report
        from assistant.sign.verdict import InputError
        from assistant.sign.verify import verify_file

        quiet_pyhanko()
        signed = document_path(path)
        original = document_path(content) if content.strip() else None
        try:
            report = verify_file(signed, original)
        except InputError as problem:
            return ActionResult(problem.problem.value, {"name": problem.name})
        language = context.language
        lines = word_report(report, language, translator((language,)), str(trust_locations()[0]))
        return ActionResult(
            report.indication.value, {"name": report.file_name, "summary": "\n".join(lines)}
        )

    # -- helpers -------------------------------------------------------------------------
    def _sign(
        self, path: str, kind: str, layout: str, pin: Secret, consent: LastTryConsent | None
    ) -> ActionResult:
        from assistant.sign.cli import quiet_pyhanko
        from assistant.sign.tsa import tsa_from_environment

        quiet_pyhanko()
        key = self._key()
        if isinstance(key, ActionResult):
            return key
        source = document_path(path)
        tsa = tsa_from_environment()
        now = self._now()
        outcome: SignOutcome
        if kind == "pdf":
            from assistant.sign.pades import sign_pdf
            from assistant.sign.signing import SignOptions

            # The highest level the set-up allows: B-LTA with a time-stamp service and
            # the CA's answers, B-T with a service only, else B-B (answers embedded).
            options = SignOptions(visible=layout == "visible", archive=tsa is not None)
            outcome = sign_pdf(source, key, pin, consent=consent, options=options, tsa=tsa, now=now)
        else:
            from assistant.sign.cades import sign_file

            outcome = sign_file(
                source, key, pin, attached=layout == "attached", consent=consent, tsa=tsa, now=now
            )
        return self._signed(outcome)

    def _key(self) -> CardKey | ActionResult:
        from assistant.pki.facts import read_facts
        from assistant.pki.selection import pick_signing_certificate
        from assistant.sign.signing import CardKey

        opened = self.card.token()
        if opened is None:
            return ActionResult("removed")
        if not opened.ok:
            return card_failure(opened, PinOutcome)
        token: TokenSession = opened.unwrap()
        listed = self.card.certificates()
        if listed is None:
            return ActionResult("removed")
        if not listed.ok:
            return card_failure(listed, PinOutcome)
        certificates = listed.unwrap()
        choice = pick_signing_certificate([read_facts(c.der) for c in certificates], self._now())
        if choice.chosen is None:
            return ActionResult("no_certificate")
        chosen = next(c for c in certificates if c.der == choice.chosen.der)
        return CardKey(token, chosen, certificates)

    def _signed(self, outcome: SignOutcome) -> ActionResult:
        from assistant.sign.signing import SignKind

        if outcome.kind is SignKind.OK and outcome.signed is not None:
            signed = outcome.signed
            return ActionResult(
                "ok",
                {
                    "signed_name": signed.path.name,
                    "folder": str(signed.path.parent),
                    "level": _level_name(signed.form.value, signed.level.value),
                    "indication": signed.report.indication.value,
                },
            )
        if outcome.kind is SignKind.CARD and outcome.card is not None:
            if outcome.card.kind is OutcomeKind.SIGNATURE_INVALID:
                return ActionResult("invalid")
            return pin_failure(outcome.card)
        if outcome.kind.value in SIGN_KIND_OUTCOMES:
            return ActionResult(outcome.kind.value, {"problem": outcome.detail or ""})
        return ActionResult("error", {"problem": f"{outcome.kind.value}:{outcome.detail or ''}"})


def _size(size: int, language: str) -> str:
    from assistant.i18n.formatting import format_number

    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{format_number(round(size / 1024, 1), language)} KB"
    return f"{format_number(round(size / 1024 / 1024, 1), language)} MB"


def _level_name(form: str, level: str) -> str:
    return f"PAdES-{level}" if form == "pades" else f"CAdES-{level}"

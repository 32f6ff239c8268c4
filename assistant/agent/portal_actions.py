"""The CA portal operations flows may call, as `portal.*` actions.

Two backends behind one set of actions. With `NES_ASISTAN_PORTAL_URL` set (the training
portal) the actions drive it through `PortalClient`; without it every portal call ends
with the outcome `guided`, and the flows walk the person through the real Kamu SM site
step by step (`portal.guide_step` reads those steps from guided.yaml, and tells the
engine which secret a step has the person type on the site).

The login lives in the conversation's `ActionContext` (`context.portal`), not here: one
agent serves several conversations at once (a terminal and the web chat), and a login
begun in one must never close or reuse another's.

Secrets (Güvenlik Sözcüğü, SMS Onay Kodu, the new PIN, the CA's unlock credential) come
in as `Secret` and leave only towards the portal or the card; no output ever carries
one. "PIN / PUK Bilgisi" is reported as a state (kept by the CA or deleted), never as
the PIN: a conversation output reaches transcripts and channels, so the PIN goes to a
0600 PDF the holder chose ("Parolalarımı Kaydet") or, better, is replaced by a PIN the
holder picks through "Kilit Çözme".
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from assistant.agent.outcome_names import UnlockCardOutcome, named
from assistant.card.outcomes import Outcome, OutcomeKind, PinAttempt
from assistant.card.service import CardService
from assistant.flow.actions import ActionContext, ActionResult, PortalSession, action
from assistant.flow.replies import parse_number
from assistant.i18n.messages import Message, message
from assistant.paths import cache_dir
from assistant.portal.api import (
    Captcha,
    CertificateChange,
    CertificateStatus,
    CertificateSummary,
    HolderInfo,
    InfoUpdateOutcome,
    LoginOutcome,
    PinDeletion,
    PinState,
    Portal,
    PortalError,
    PortalUnavailableError,
    RevocationReason,
    SessionExpiredError,
    SmsOutcome,
    UnlockOutcome,
)
from assistant.secret import Secret

PORTAL_URL_ENV = "NES_ASISTAN_PORTAL_URL"
CAPTCHA_NAME = "captcha.png"
PIN_PDF_NAME = "PIN_Bilgisi.pdf"
# What every call to the portal may end with besides its own outcomes.
PORTAL_OUTCOMES = ("guided", "unreachable", "session_expired")
# The portal's own Turkish status labels (shown as the site does, translated beside them
# in other languages) and the listing's line; rendered by assistant.i18n.messages.
LISTING_TEXTS = {
    "portal.status.active": "Geçerli",
    "portal.status.suspended": "Askıda",
    "portal.status.revoked": "İptal Edildi",
    "portal.status.expired": "Süresi Dolmuş",
    "portal.certificate_line": (
        "{number}. {serial} · {subject} · {status} · {not_before} – {not_after}"
    ),
}
# Which certificates each menu operation can act on.
ELIGIBLE = {
    "suspend": {CertificateStatus.ACTIVE},
    "unsuspend": {CertificateStatus.SUSPENDED},
    "revoke": {CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED},
    "detail": set(CertificateStatus),
}
COMMON_OUTPUTS: dict[str, type] = {"problem": str}
INFO_OUTPUTS: dict[str, type] = {
    "name": str,
    "mobile": str,
    "email": str,
    "address": str,
    **COMMON_OUTPUTS,
}
CERTIFICATE_OUTPUTS: dict[str, type] = {
    "serial": str,
    "subject": str,
    "status": str,
    "status_label": dict,
    "not_before": str,
    "not_after": str,
    "issuer": str,
    "key_type": str,
    **COMMON_OUTPUTS,
}

PortalFactory = Callable[[str], Portal]
PortalMethod = Callable[..., ActionResult]


def portal_action(
    name: str,
    *,
    outcomes: Iterable[str],
    inputs: Mapping[str, type] | None = None,
    outputs: Mapping[str, type] | None = None,
    dangerous: bool = False,
    local_only: bool = False,
    login: bool = True,
) -> Callable[[PortalMethod], PortalMethod]:
    """`@action` for a call to the CA portal, and the one place its failures are mapped.

    The method gets the conversation's context and, with `login` (the default), the
    logged-in `Portal` as its second argument; the wrapper answers `guided` without a
    training portal, `session_expired` without a login, and turns any `PortalError` the
    method lets through into `unreachable` or `session_expired`. Those three outcomes
    are added to the contract here, so no portal action can forget to declare them.
    """

    def decorate(method: PortalMethod) -> PortalMethod:
        @functools.wraps(method)
        def run(self: PortalActions, context: ActionContext, **given: object) -> ActionResult:
            if self.url is None:
                return ActionResult("guided")
            try:
                if not login:
                    return method(self, context, **given)
                if context.portal is None:
                    return ActionResult("session_expired")
                return method(self, context, context.portal.client, **given)
            except PortalError as exc:
                return _portal_failure(exc)

        declare = action(
            name,
            outcomes=(*outcomes, *PORTAL_OUTCOMES),
            inputs=inputs,
            outputs={**COMMON_OUTPUTS, **(outputs or {})},
            dangerous=dangerous,
            local_only=local_only,
            context=True,
        )
        return declare(run)

    return decorate


class PortalActions:
    """The portal operations; each conversation's login is in its context."""

    def __init__(
        self,
        card: CardService,
        *,
        environ: Mapping[str, str] | None = None,
        factory: PortalFactory | None = None,
    ) -> None:
        self.card = card
        self._environ = environ if environ is not None else os.environ
        self._factory = factory or _portal_client

    @property
    def url(self) -> str | None:
        return self._environ.get(PORTAL_URL_ENV) or None

    # -- login ---------------------------------------------------------------------------
    @action("portal.mode", outcomes=("training", "guided"), outputs={"url": str})
    def mode(self) -> ActionResult:
        url = self.url
        return ActionResult("training", {"url": url}) if url else ActionResult("guided")

    @portal_action(
        "portal.begin_login",
        outcomes=("captcha", "invalid_tckn"),
        inputs={"tckn": str},
        outputs={"captcha_path": str},
        login=False,
    )
    def begin_login(self, context: ActionContext, tckn: str) -> ActionResult:
        if context.portal is not None:
            context.portal.close()
        login = context.portal = PortalSession(self._factory(str(self.url)))
        try:
            challenge = login.client.begin_login(tckn)
        except ValueError:
            return ActionResult("invalid_tckn")
        login.login_id = challenge.login_id
        path = _save_captcha(challenge.captcha, context)
        return ActionResult("captcha", {"captcha_path": str(path)})

    @portal_action(
        "portal.submit_login",
        outcomes=LoginOutcome,
        inputs={"captcha": str, "security_word": Secret},
        outputs={
            "captcha_path": str,
            "masked_mobile": str,
            "tries_left": int,
            "retry_after_min": int,
        },
        local_only=True,
    )
    def submit_login(
        self, context: ActionContext, portal: Portal, captcha: str, security_word: Secret
    ) -> ActionResult:
        result = portal.submit_login(captcha.strip(), security_word)
        outputs: dict[str, object] = {}
        if result.captcha is not None:
            outputs["captcha_path"] = str(_save_captcha(result.captcha, context))
        if result.outcome is LoginOutcome.SMS_SENT:
            outputs["masked_mobile"] = result.masked_mobile or ""
        if result.tries_left is not None:
            outputs["tries_left"] = result.tries_left
        if result.retry_after_s is not None:
            outputs["retry_after_min"] = max(1, -(-result.retry_after_s // 60))
        return ActionResult(result.outcome, outputs)

    @portal_action(
        "portal.submit_sms",
        outcomes=SmsOutcome,
        inputs={"code": Secret},
        outputs={"tries_left": int},
        local_only=True,
    )
    def submit_sms(self, context: ActionContext, portal: Portal, code: Secret) -> ActionResult:
        result = portal.submit_sms(code)
        outputs = {} if result.tries_left is None else {"tries_left": result.tries_left}
        return ActionResult(result.outcome, outputs)

    @action("portal.logout", outcomes=("ok", "guided"), outputs=COMMON_OUTPUTS, context=True)
    def logout(self, context: ActionContext) -> ActionResult:
        if self.url is None:
            return ActionResult("guided")
        if context.portal is not None:
            # Logging out of a session that is already gone is still logged out.
            with contextlib.suppress(PortalError):
                context.portal.client.logout()
            context.portal.close()
            context.portal = None
        return ActionResult("ok")

    # -- certificates --------------------------------------------------------------------
    @portal_action(
        "portal.list_certificates",
        outcomes=("ok", "none"),
        outputs={"count": int, "listing": list},
    )
    def list_certificates(self, context: ActionContext, portal: Portal) -> ActionResult:
        """The holder's certificates, one line each (a list of messages, rendered when
        shown: the dates and status in the person's language)."""
        listed = portal.list_certificates()
        if not listed:
            return ActionResult("none", {"count": 0, "listing": []})
        return ActionResult("ok", {"count": len(listed), "listing": certificate_listing(listed)})

    @portal_action(
        "portal.select_certificate",
        outcomes=("found", "not_found", "not_eligible"),
        inputs={"choice": str, "purpose": str},
        outputs=CERTIFICATE_OUTPUTS,
    )
    def select_certificate(
        self, context: ActionContext, portal: Portal, choice: str, purpose: str
    ) -> ActionResult:
        """The certificate a person named by its list number, its serial or its last digits."""
        chosen = _pick(portal.list_certificates(), choice)
        if chosen is None:
            return ActionResult("not_found")
        outputs: dict[str, object] = {
            "serial": chosen.serial,
            "subject": chosen.subject_cn,
            "status": chosen.status.value,
            "status_label": status_label(chosen.status),
            "not_before": chosen.not_before.date().isoformat(),
            "not_after": chosen.not_after.date().isoformat(),
        }
        if purpose == "detail":
            detail = portal.certificate_detail(chosen.serial)
            if detail is not None:
                outputs.update(issuer=detail.issuer_cn, key_type=detail.key_type)
        eligible = chosen.status in ELIGIBLE.get(purpose, set())
        return ActionResult("found" if eligible else "not_eligible", outputs)

    @portal_action("portal.suspend", outcomes=CertificateChange, inputs={"serial": str})
    def suspend(self, context: ActionContext, portal: Portal, serial: str) -> ActionResult:
        return _change(lambda: portal.suspend(serial))

    @portal_action("portal.unsuspend", outcomes=CertificateChange, inputs={"serial": str})
    def unsuspend(self, context: ActionContext, portal: Portal, serial: str) -> ActionResult:
        return _change(lambda: portal.unsuspend(serial))

    @portal_action(
        "portal.revoke",
        outcomes=CertificateChange,
        inputs={"serial": str, "reason": str},
        dangerous=True,
    )
    def revoke(
        self, context: ActionContext, portal: Portal, serial: str, reason: str
    ) -> ActionResult:
        try:
            why = RevocationReason(reason)
        except ValueError:
            why = RevocationReason.UNSPECIFIED
        return _change(lambda: portal.revoke(serial, why))

    # -- holder information ----------------------------------------------------------------
    @portal_action("portal.holder_info", outcomes=("ok",), outputs=INFO_OUTPUTS)
    def holder_info(self, context: ActionContext, portal: Portal) -> ActionResult:
        info = portal.holder_info()
        return ActionResult("ok", _info_outputs(info))

    @portal_action(
        "portal.update_info",
        outcomes=InfoUpdateOutcome,
        inputs={"mobile": str, "email": str, "address": str},
        outputs=INFO_OUTPUTS,
    )
    def update_info(
        self, context: ActionContext, portal: Portal, mobile: str, email: str, address: str
    ) -> ActionResult:
        """Empty inputs leave a field as it is."""
        result = portal.update_info(
            mobile=mobile.strip() or None,
            email=email.strip() or None,
            address=address.strip() or None,
        )
        outputs = _info_outputs(result.info) if result.info else {}
        return ActionResult(result.outcome, outputs)

    # -- PIN / PUK Bilgisi -----------------------------------------------------------------
    @portal_action(
        "portal.pin_info", outcomes=PinState, outputs={"generated_at": str}, local_only=True
    )
    def pin_info(self, context: ActionContext, portal: Portal) -> ActionResult:
        """Whether Kamu SM still keeps the PIN; the PIN itself is dropped unread."""
        info = portal.pin_info()
        if info.pin is not None:
            info.pin.wipe()
        generated = info.generated_at.date().isoformat() if info.generated_at else ""
        return ActionResult(info.state, {"generated_at": generated})

    @portal_action(
        "portal.save_pin_pdf",
        outcomes=("saved", "exists", "bad_path", "deleted"),
        inputs={"path": str},
        outputs={"path": str, "home": str},
        local_only=True,
        login=False,
    )
    def save_pin_pdf(self, context: ActionContext, path: str) -> ActionResult:
        """ "Parolalarımı Kaydet": the PDF, readable by the holder alone, under their home."""
        target = _pdf_target(path)
        if target is None:
            return ActionResult("bad_path", {"home": str(Path.home())})
        if target.exists():
            return ActionResult("exists", {"path": str(target)})
        if context.portal is None:
            return ActionResult("session_expired")
        pdf = context.portal.client.save_pin_pdf()
        if pdf is None:
            return ActionResult("deleted")
        try:
            _write_private(target, pdf.content, exclusive=True)
        except FileExistsError:
            return ActionResult("exists", {"path": str(target)})
        return ActionResult("saved", {"path": str(target)})

    @portal_action("portal.delete_pin", outcomes=PinDeletion, dangerous=True)
    def delete_pin(self, context: ActionContext, portal: Portal) -> ActionResult:
        return ActionResult(portal.delete_pin())

    # -- Kilit Çözme -----------------------------------------------------------------------
    @portal_action(
        "portal.unlock",
        outcomes=(*UnlockCardOutcome, *UnlockOutcome),
        inputs={"new_pin": Secret},
        outputs={"effect": str},
        dangerous=True,
        local_only=True,
    )
    def unlock(self, context: ActionContext, portal: Portal, new_pin: Secret) -> ActionResult:
        """Kilit Çözme with the holder's new PIN: portal grant → card unblock → verify.

        Before asking the CA for anything, the guard must find the card in the reader a
        CA-managed card whose PUK is not blocked or at its last try, carrying a
        certificate this holder's portal lists: a credential for another card would be a
        wrong PUK try on it. The credential is used once and wiped; nothing is retried.
        """
        opened = self.card.token() or Outcome(OutcomeKind.CARD_REMOVED)
        if not opened.ok:
            return _card_failure(opened)
        token = opened.unwrap()
        refusal = token.ca_unlock_refusal(lambda: _portal_serials(portal))
        if refusal is not None:
            return _card_failure(refusal)
        grant = portal.unlock(new_pin)
        try:
            if grant.outcome is not UnlockOutcome.OK:
                return ActionResult(grant.outcome)
            if grant.credential is None or grant.new_pin is None:
                return ActionResult(UnlockCardOutcome.ERROR, {"problem": "unlock grant incomplete"})
            unblocked = token.unblock_with_ca_credential(grant.credential, grant.new_pin)
        finally:
            for secret in (grant.credential, grant.new_pin):
                if secret is not None:
                    secret.wipe()
        if not unblocked.ok:
            return _card_failure(unblocked)
        verified = token.verify_pin(new_pin)
        if not verified.ok:
            return ActionResult(UnlockCardOutcome.VERIFY_FAILED, {"problem": verified.kind.value})
        return ActionResult(UnlockCardOutcome.OK)

    # -- guided steps for the real site ----------------------------------------------------
    @action(
        "portal.guide_step",
        outcomes=("step", "done", "unknown"),
        inputs={"operation": str, "done": int},
        outputs={"operation": str, "number": int, "total": int, "text": dict, "target": str},
    )
    def guide_step(self, operation: str, done: int) -> ActionResult:
        """Step `done + 1` of the operation's plan (its login first), or `done`."""
        from assistant.portal.guided import GuidedOperation, load_guides

        try:
            plan = load_guides().plan(GuidedOperation(operation))
        except ValueError:
            return ActionResult("unknown")
        index = done if isinstance(done, int) else 0
        if index >= len(plan):
            return ActionResult("done", {"operation": operation, "number": index})
        step = plan[index]
        return ActionResult(
            "step",
            {
                "operation": operation,
                "number": index + 1,
                "total": len(plan),
                "text": message(step.message_id, step.text_tr),
                "target": step.target,
            },
            secret_elsewhere=step.secret,
        )


def status_label(status: CertificateStatus) -> Message:
    """The site's label for a certificate status, as a message to render when shown."""
    message_id = f"portal.status.{status.value}"
    return message(message_id, LISTING_TEXTS[message_id])


def certificate_listing(listed: tuple[CertificateSummary, ...]) -> list[Message]:
    """One message per certificate: number, serial, holder, status, validity (ISO dates,
    which the message service writes the person's way)."""
    line = "portal.certificate_line"
    return [
        message(
            line,
            LISTING_TEXTS[line],
            number=number,
            serial=summary.serial,
            subject=summary.subject_cn,
            status=status_label(summary.status),
            not_before=summary.not_before.date().isoformat(),
            not_after=summary.not_after.date().isoformat(),
        )
        for number, summary in enumerate(listed, start=1)
    ]


def _portal_client(url: str) -> Portal:
    """The training portal's client, imported only once a person goes to the portal:
    httpx and the client cost the first question ~100 ms nobody else should wait."""
    from assistant.portal.client import PortalClient

    return PortalClient(url)


def _portal_failure(exc: PortalError) -> ActionResult:
    if isinstance(exc, SessionExpiredError):
        return ActionResult("session_expired")
    problem = exc.problem.value if isinstance(exc, PortalUnavailableError) else "portal"
    return ActionResult("unreachable", {"problem": problem})


def _change(change: Callable[[], CertificateChange]) -> ActionResult:
    try:
        return ActionResult(change())
    except ValueError:
        return ActionResult(CertificateChange.UNKNOWN_SERIAL)


def _portal_serials(portal: Portal) -> set[int]:
    """The serials of the holder's certificates at the CA, as integers."""
    return {int(c.serial.replace(":", ""), 16) for c in portal.list_certificates()}


def _card_failure(outcome: Outcome[object]) -> ActionResult:
    """`effect`: for `unknown`, what the card may hold after its answer was lost."""
    outputs = {"problem": outcome.kind.value}
    if isinstance(outcome, PinAttempt) and outcome.effect is not None:
        outputs["effect"] = outcome.effect.value
    return ActionResult(named(outcome.kind, UnlockCardOutcome), outputs)


def _info_outputs(info: HolderInfo) -> dict[str, object]:
    return {"name": info.name, "mobile": info.mobile, "email": info.email, "address": info.address}


def _pick(listed: tuple[CertificateSummary, ...], choice: str) -> CertificateSummary | None:
    typed = "".join(ch for ch in choice if ch.isalnum()).upper()
    number = parse_number(typed) if len(typed) < 4 else None
    if number is not None and 1 <= number <= len(listed):
        return listed[number - 1]
    if len(typed) < 4:
        return None
    matches = [c for c in listed if c.serial.replace(":", "").upper().endswith(typed)]
    return matches[0] if len(matches) == 1 else None


def _save_captcha(captcha: Captcha, context: ActionContext) -> Path:
    """The "Resimdeki Yazı" image as a file the person opens (the chat is text only);
    one per conversation, so two logins at once never show each other's image."""
    folder = cache_dir() / "portal"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{context.conversation_id[:12]}-{CAPTCHA_NAME}"
    _write_private(path, captcha.image, exclusive=False)
    return path


def _pdf_target(typed: str) -> Path | None:
    """Where the PIN PDF goes: a path under the home folder (a folder gets the CA's name)."""
    text = typed.strip()
    if not text:
        return None
    home = Path.home().resolve()
    target = Path(text).expanduser()
    target = (target if target.is_absolute() else home / target).resolve()
    if target.is_dir():
        target = target / PIN_PDF_NAME
    if not target.is_relative_to(home) or target == home or not target.parent.is_dir():
        return None
    return target if target.suffix.lower() == ".pdf" else target.with_name(target.name + ".pdf")


def _write_private(path: Path, content: bytes, *, exclusive: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(content)

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
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from assistant.agent.card_service import CardService
from assistant.card.guard import check_ca_unblock_allowed
from assistant.card.outcomes import Effect, OutcomeKind
from assistant.card.token import TokenSession
from assistant.flow.actions import ActionContext, ActionResult, PortalSession, Registry
from assistant.flow.replies import parse_number
from assistant.i18n.messages import Message, message
from assistant.paths import cache_dir
from assistant.portal.api import (
    Captcha,
    CertificateDetail,
    CertificateStatus,
    CertificateSummary,
    LoginOutcome,
    Portal,
    PortalError,
    PortalUnavailableError,
    RevocationReason,
    SessionExpiredError,
    UnlockOutcome,
)
from assistant.secret import Secret

PORTAL_URL_ENV = "NES_ASISTAN_PORTAL_URL"
CAPTCHA_NAME = "captcha.png"
PIN_PDF_NAME = "PIN_Bilgisi.pdf"
# What every call to the portal may end with besides its own outcomes.
PORTAL_OUTCOMES = ("guided", "unreachable", "session_expired")
CHANGE_OUTCOMES = ("done", "already", "not_allowed", "unknown_serial", *PORTAL_OUTCOMES)
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
UNLOCK_CARD_KINDS = {
    OutcomeKind.CA_UNBLOCK_NOT_ALLOWED: "not_allowed",
    OutcomeKind.PUK_LOCKED: "puk_locked",
    OutcomeKind.LAST_TRY_NEEDS_CONSENT: "puk_last_try",
    OutcomeKind.PUK_INCORRECT: "puk_rejected",
    OutcomeKind.PIN_POLICY: "invalid_pin",
    OutcomeKind.CARD_REMOVED: "removed",
    OutcomeKind.NO_TOKEN: "removed",
    OutcomeKind.UNKNOWN: "unknown",
}
UNLOCK_OUTCOMES = (
    "ok",
    "verify_failed",
    "other_card",
    "not_available",
    *UNLOCK_CARD_KINDS.values(),
    "error",
    *PORTAL_OUTCOMES,
)

PortalFactory = Callable[[str], Portal]


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
    def mode(self) -> ActionResult:
        url = self.url
        return ActionResult("training", {"url": url}) if url else ActionResult("guided")

    def begin_login(self, context: ActionContext, tckn: str) -> ActionResult:
        url = self.url
        if url is None:
            return ActionResult("guided")
        if context.portal is not None:
            context.portal.close()
        login = context.portal = PortalSession(self._factory(url))
        try:
            challenge = login.client.begin_login(tckn)
        except ValueError:
            return ActionResult("invalid_tckn")
        except PortalError as exc:
            return _portal_failure(exc)
        login.login_id = challenge.login_id
        path = _save_captcha(challenge.captcha, context)
        return ActionResult("captcha", {"captcha_path": str(path)})

    def submit_login(
        self, context: ActionContext, captcha: str, security_word: Secret
    ) -> ActionResult:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            result = portal.submit_login(captcha.strip(), security_word)
        except PortalError as exc:
            return _portal_failure(exc)
        outputs: dict[str, object] = {}
        if result.captcha is not None:
            outputs["captcha_path"] = str(_save_captcha(result.captcha, context))
        if result.outcome is LoginOutcome.SMS_SENT:
            outputs["masked_mobile"] = result.masked_mobile or ""
        if result.tries_left is not None:
            outputs["tries_left"] = result.tries_left
        if result.retry_after_s is not None:
            outputs["retry_after_min"] = max(1, -(-result.retry_after_s // 60))
        return ActionResult(result.outcome.value, outputs)

    def submit_sms(self, context: ActionContext, code: Secret) -> ActionResult:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            result = portal.submit_sms(code)
        except PortalError as exc:
            return _portal_failure(exc)
        outputs = {} if result.tries_left is None else {"tries_left": result.tries_left}
        return ActionResult(result.outcome.value, outputs)

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
    def list_certificates(self, context: ActionContext) -> ActionResult:
        """The holder's certificates, one line each (a list of messages, rendered when
        shown: the dates and status in the person's language)."""
        listed = self._listed(context)
        if isinstance(listed, ActionResult):
            return listed
        if not listed:
            return ActionResult("none", {"count": 0, "listing": []})
        return ActionResult("ok", {"count": len(listed), "listing": certificate_listing(listed)})

    def select_certificate(self, context: ActionContext, choice: str, purpose: str) -> ActionResult:
        """The certificate a person named by its list number, its serial or its last digits."""
        listed = self._listed(context)
        if isinstance(listed, ActionResult):
            return listed
        chosen = _pick(listed, choice)
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
            detail = self._detail(context, chosen.serial)
            if isinstance(detail, ActionResult):
                return detail
            if detail is not None:
                outputs.update(issuer=detail.issuer_cn, key_type=detail.key_type)
        eligible = chosen.status in ELIGIBLE.get(purpose, set())
        return ActionResult("found" if eligible else "not_eligible", outputs)

    def suspend(self, context: ActionContext, serial: str) -> ActionResult:
        return self._change(context, lambda p: p.suspend(serial).value)

    def unsuspend(self, context: ActionContext, serial: str) -> ActionResult:
        return self._change(context, lambda p: p.unsuspend(serial).value)

    def revoke(self, context: ActionContext, serial: str, reason: str) -> ActionResult:
        try:
            why = RevocationReason(reason)
        except ValueError:
            why = RevocationReason.UNSPECIFIED
        return self._change(context, lambda p: p.revoke(serial, why).value)

    # -- holder information ----------------------------------------------------------------
    def holder_info(self, context: ActionContext) -> ActionResult:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            info = portal.holder_info()
        except PortalError as exc:
            return _portal_failure(exc)
        return ActionResult("ok", _info_outputs(info.name, info.mobile, info.email, info.address))

    def update_info(
        self, context: ActionContext, mobile: str, email: str, address: str
    ) -> ActionResult:
        """Empty inputs leave a field as it is."""
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            result = portal.update_info(
                mobile=mobile.strip() or None,
                email=email.strip() or None,
                address=address.strip() or None,
            )
        except PortalError as exc:
            return _portal_failure(exc)
        info = result.info
        outputs = _info_outputs(info.name, info.mobile, info.email, info.address) if info else {}
        return ActionResult(result.outcome.value, outputs)

    # -- PIN / PUK Bilgisi -----------------------------------------------------------------
    def pin_info(self, context: ActionContext) -> ActionResult:
        """Whether Kamu SM still keeps the PIN; the PIN itself is dropped unread."""
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            info = portal.pin_info()
        except PortalError as exc:
            return _portal_failure(exc)
        if info.pin is not None:
            info.pin.wipe()
        generated = info.generated_at.date().isoformat() if info.generated_at else ""
        return ActionResult(info.state.value, {"generated_at": generated})

    def save_pin_pdf(self, context: ActionContext, path: str) -> ActionResult:
        """ "Parolalarımı Kaydet": the PDF, readable by the holder alone, under their home."""
        target = _pdf_target(path)
        if target is None:
            return ActionResult("bad_path", {"home": str(Path.home())})
        if target.exists():
            return ActionResult("exists", {"path": str(target)})
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            pdf = portal.save_pin_pdf()
        except PortalError as exc:
            return _portal_failure(exc)
        if pdf is None:
            return ActionResult("deleted")
        try:
            _write_private(target, pdf.content, exclusive=True)
        except FileExistsError:
            return ActionResult("exists", {"path": str(target)})
        return ActionResult("saved", {"path": str(target)})

    def delete_pin(self, context: ActionContext) -> ActionResult:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            return ActionResult(portal.delete_pin().value)
        except PortalError as exc:
            return _portal_failure(exc)

    # -- Kilit Çözme -----------------------------------------------------------------------
    def unlock(self, context: ActionContext, new_pin: Secret) -> ActionResult:
        """Kilit Çözme with the holder's new PIN: portal grant → card unblock → verify.

        Before asking the CA for anything, the card in the reader must be a CA-managed
        card whose PUK is not blocked or at its last try, carrying a certificate this
        holder's portal lists: a credential for another card would be a wrong PUK try
        on it. The credential is used once and wiped; nothing is retried.
        """
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        token = self._token()
        if isinstance(token, ActionResult):
            return token
        refusal = self._unlock_refusal(portal, token)
        if refusal is not None:
            return refusal
        try:
            grant = portal.unlock(new_pin)
        except PortalError as exc:
            return _portal_failure(exc)
        try:
            if grant.outcome is not UnlockOutcome.OK:
                return ActionResult(grant.outcome.value)
            if grant.credential is None or grant.new_pin is None:
                return ActionResult("error", {"problem": "unlock grant incomplete"})
            unblocked = token.unblock_with_ca_credential(grant.credential, grant.new_pin)
        finally:
            for secret in (grant.credential, grant.new_pin):
                if secret is not None:
                    secret.wipe()
        if not unblocked.ok:
            return _card_failure(unblocked.kind, unblocked.effect)
        verified = token.verify_pin(new_pin)
        if not verified.ok:
            return ActionResult("verify_failed", {"problem": verified.kind.value})
        return ActionResult("ok")

    # -- guided steps for the real site ----------------------------------------------------
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

    # -- helpers ---------------------------------------------------------------------------
    def _current(self, context: ActionContext) -> Portal | ActionResult:
        if self.url is None:
            return ActionResult("guided")
        if context.portal is None:
            return ActionResult("session_expired")
        return context.portal.client

    def _listed(self, context: ActionContext) -> tuple[CertificateSummary, ...] | ActionResult:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            return portal.list_certificates()
        except PortalError as exc:
            return _portal_failure(exc)

    def _detail(
        self, context: ActionContext, serial: str
    ) -> CertificateDetail | ActionResult | None:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            return portal.certificate_detail(serial)
        except PortalError as exc:
            return _portal_failure(exc)

    def _change(self, context: ActionContext, change: Callable[[Portal], str]) -> ActionResult:
        portal = self._current(context)
        if isinstance(portal, ActionResult):
            return portal
        try:
            return ActionResult(change(portal))
        except ValueError:
            return ActionResult("unknown_serial")
        except PortalError as exc:
            return _portal_failure(exc)

    def _token(self) -> TokenSession | ActionResult:
        opened = self.card.token()
        if opened is None:
            return ActionResult("removed")
        if not opened.ok:
            return _card_failure(opened.kind)
        return opened.unwrap()

    def _unlock_refusal(self, portal: Portal, token: TokenSession) -> ActionResult | None:
        not_allowed = check_ca_unblock_allowed(token.profile)
        if not_allowed is not None:
            return ActionResult("not_allowed")
        status = token.status()
        if not status.ok:
            return _card_failure(status.kind)
        puk = status.unwrap().puk
        if puk.locked or puk.last_try:
            return ActionResult("puk_locked" if puk.locked else "puk_last_try")
        on_card = token.certificates()
        if not on_card.ok:
            return _card_failure(on_card.kind)
        card_serials = {c.serial_number for c in on_card.unwrap()}
        try:
            listed = portal.list_certificates()
        except PortalError as exc:
            return _portal_failure(exc)
        if not card_serials & {int(c.serial.replace(":", ""), 16) for c in listed}:
            return ActionResult("other_card")
        return None


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


def _card_failure(kind: OutcomeKind, effect: Effect | None = None) -> ActionResult:
    """`effect`: for `unknown`, what the card may hold after its answer was lost."""
    name = UNLOCK_CARD_KINDS.get(kind, "error")
    outputs = {"problem": kind.value}
    if effect is not None:
        outputs["effect"] = effect.value
    return ActionResult(name, outputs)


def _info_outputs(name: str, mobile: str, email: str, address: str) -> dict[str, object]:
    return {"name": name, "mobile": mobile, "email": email, "address": address}


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


def register_portal_actions(registry: Registry, card: CardService) -> PortalActions:
    """Every `portal.*` action with its contract; the instance is returned for its owner."""
    actions = PortalActions(card)
    common = {"problem": str}
    registry.register(
        "portal.mode", actions.mode, outcomes=("training", "guided"), outputs={"url": str}
    )
    registry.register(
        "portal.begin_login",
        actions.begin_login,
        outcomes=("captcha", "invalid_tckn", "guided", "unreachable"),
        inputs={"tckn": str},
        outputs={"captcha_path": str, **common},
        context=True,
    )
    registry.register(
        "portal.submit_login",
        actions.submit_login,
        outcomes=(*(o.value for o in LoginOutcome), *PORTAL_OUTCOMES),
        inputs={"captcha": str, "security_word": Secret},
        outputs={
            "captcha_path": str,
            "masked_mobile": str,
            "tries_left": int,
            "retry_after_min": int,
            **common,
        },
        local_only=True,
        context=True,
    )
    registry.register(
        "portal.submit_sms",
        actions.submit_sms,
        outcomes=("ok", "wrong_code", "expired", "too_many", *PORTAL_OUTCOMES),
        inputs={"code": Secret},
        outputs={"tries_left": int, **common},
        local_only=True,
        context=True,
    )
    registry.register(
        "portal.logout", actions.logout, outcomes=("ok", "guided"), outputs=common, context=True
    )
    registry.register(
        "portal.list_certificates",
        actions.list_certificates,
        outcomes=("ok", "none", *PORTAL_OUTCOMES),
        outputs={"count": int, "listing": list, **common},
        context=True,
    )
    registry.register(
        "portal.select_certificate",
        actions.select_certificate,
        outcomes=("found", "not_found", "not_eligible", *PORTAL_OUTCOMES),
        inputs={"choice": str, "purpose": str},
        outputs={
            "serial": str,
            "subject": str,
            "status": str,
            "status_label": dict,
            "not_before": str,
            "not_after": str,
            "issuer": str,
            "key_type": str,
            **common,
        },
        context=True,
    )
    registry.register(
        "portal.suspend",
        actions.suspend,
        outcomes=CHANGE_OUTCOMES,
        inputs={"serial": str},
        outputs=common,
        context=True,
    )
    registry.register(
        "portal.unsuspend",
        actions.unsuspend,
        outcomes=CHANGE_OUTCOMES,
        inputs={"serial": str},
        outputs=common,
        context=True,
    )
    registry.register(
        "portal.revoke",
        actions.revoke,
        outcomes=CHANGE_OUTCOMES,
        inputs={"serial": str, "reason": str},
        outputs=common,
        dangerous=True,
        context=True,
    )
    info_outputs = {"name": str, "mobile": str, "email": str, "address": str, **common}
    registry.register(
        "portal.holder_info",
        actions.holder_info,
        outcomes=("ok", *PORTAL_OUTCOMES),
        outputs=info_outputs,
        context=True,
    )
    registry.register(
        "portal.update_info",
        actions.update_info,
        outcomes=(
            "updated",
            "invalid_mobile",
            "invalid_email",
            "invalid_address",
            "nothing_to_change",
            *PORTAL_OUTCOMES,
        ),
        inputs={"mobile": str, "email": str, "address": str},
        outputs=info_outputs,
        context=True,
    )
    registry.register(
        "portal.pin_info",
        actions.pin_info,
        outcomes=("available", "deleted", *PORTAL_OUTCOMES),
        outputs={"generated_at": str, **common},
        local_only=True,
        context=True,
    )
    registry.register(
        "portal.save_pin_pdf",
        actions.save_pin_pdf,
        outcomes=("saved", "exists", "bad_path", "deleted", *PORTAL_OUTCOMES),
        inputs={"path": str},
        outputs={"path": str, "home": str, **common},
        local_only=True,
        context=True,
    )
    registry.register(
        "portal.delete_pin",
        actions.delete_pin,
        outcomes=("deleted", "already_deleted", *PORTAL_OUTCOMES),
        outputs=common,
        dangerous=True,
        context=True,
    )
    registry.register(
        "portal.unlock",
        actions.unlock,
        outcomes=UNLOCK_OUTCOMES,
        inputs={"new_pin": Secret},
        outputs={**common, "effect": str},
        dangerous=True,
        local_only=True,
        context=True,
    )
    registry.register(
        "portal.guide_step",
        actions.guide_step,
        outcomes=("step", "done", "unknown"),
        inputs={"operation": str, "done": int},
        outputs={"operation": str, "number": int, "total": int, "text": dict, "target": str},
    )
    return actions

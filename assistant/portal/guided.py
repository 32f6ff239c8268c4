"""Guided backend for the real Kamu SM site: ordered, typed steps per operation.

The real portal has no API, so for it the assistant can only walk the user through
the pages (which link, field and button, in the CA's own words) and then verify on
this machine whatever can be verified (PIN no longer locked, revocation via OCSP).
The steps are data in `guided.yaml`, checked here when loaded, so helpdesk staff can
correct a label without touching code. Secrets in these steps are typed on the CA's
site, never into the assistant: `secret` only says which one the user will need.

Every text has a message id (`guided.<operation>.<step>`, `guided.<operation>.title`,
`guided.note.<id>`, `guided.warning.<id>`) so the catalogs translate it like a flow text;
`assistant.catalog_extract.extract_guides` puts them there. Site labels (`target`, `page`)
stay as the site writes them: the person must find them on the screen.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistant.resources import packaged
from assistant.secret import SecretKind

GUIDE_PATH = packaged("portal", "guided.yaml")


class GuidedOperation(enum.StrEnum):
    LOGIN_PASSWORD = "login_password"
    """"Şifreli Giriş": Kimlik No + Resimdeki Yazı + Güvenlik Sözcüğü + SMS Onay Kodu."""
    LOGIN_ESIGN = "login_esign"
    LIST_CERTIFICATES = "list_certificates"
    CERTIFICATE_DETAIL = "certificate_detail"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    REVOKE = "revoke"
    UPDATE_INFO = "update_info"
    PIN_INFO = "pin_info"
    SAVE_PIN = "save_pin"
    DELETE_PIN = "delete_pin"
    UNLOCK = "unlock"
    LOGOUT = "logout"
    FORGOT_SECURITY_WORD = "forgot_security_word"
    LOST_CARD = "lost_card"


class StepAction(enum.StrEnum):
    OPEN_URL = "open_url"
    CLICK_LINK = "click_link"
    CLICK_BUTTON = "click_button"
    FILL_FIELD = "fill_field"
    TYPE_SECRET_ON_SITE = "type_secret_on_site"
    READ_SCREEN = "read_screen"
    CALL = "call"
    CONFIRM_ON_SITE = "confirm_on_site"


class LocalCheck(enum.StrEnum):
    """What the assistant can verify on this machine after the user acted on the site."""

    CARD_PRESENT = "card_present"
    CARD_CERTIFICATES_LISTED = "card_certificates_listed"
    """The serials on the card match what the site listed."""
    PIN_VERIFIES = "pin_verifies"
    """The user knows a working PIN (verify with the retry guard) before it is deleted."""
    PIN_NOT_LOCKED = "pin_not_locked"
    NEW_PIN_VERIFIES = "new_pin_verifies"
    OCSP_GOOD = "ocsp_good"
    OCSP_ON_HOLD = "ocsp_on_hold"
    OCSP_REVOKED = "ocsp_revoked"


MESSAGE_PREFIX = "guided"


@dataclass(frozen=True)
class GuideText:
    """A Turkish source text and its message id."""

    id: str
    text_tr: str


@dataclass(frozen=True)
class GuideStep:
    id: str
    message_id: str
    page: str
    action: StepAction
    target: str
    """The label exactly as the site shows it (or a URL / phone number)."""
    text_tr: str
    secret: SecretKind | None = None
    dangerous: bool = False


@dataclass(frozen=True)
class Guide:
    operation: GuidedOperation
    title_tr: str
    title_id: str
    steps: tuple[GuideStep, ...]
    checks: tuple[LocalCheck, ...]
    requires: tuple[GuidedOperation, ...] = ()


@dataclass(frozen=True)
class GuideBook:
    portal_url: str
    call_centre: str
    notes: tuple[GuideText, ...]
    warnings: tuple[GuideText, ...]
    """The brochure's "Uyarı" box, printed on every walkthrough."""
    guides: dict[GuidedOperation, Guide]

    def plan(self, operation: GuidedOperation) -> tuple[GuideStep, ...]:
        """All steps in order, the required login first (each prerequisite once)."""
        steps: list[GuideStep] = []
        for needed in self.guides[operation].requires:
            steps.extend(self.plan(needed))
        return (*steps, *self.guides[operation].steps)


class GuideError(ValueError):
    """guided.yaml is malformed: a packaging or editing mistake, caught by the tests."""


@functools.cache
def load_guides(path: Path = GUIDE_PATH) -> GuideBook:
    return parse_guides(path.read_text(encoding="utf-8"), str(path))


def parse_guides(text: str, name: str) -> GuideBook:
    """The guide book in `text` (a guided.yaml); `name` says where it came from."""
    data = yaml.safe_load(text)
    try:
        guides = {
            GuidedOperation(op): _guide(GuidedOperation(op), body)
            for op, body in data["operations"].items()
        }
        book = GuideBook(
            portal_url=str(data["portal_url"]),
            call_centre=str(data["call_centre"]),
            notes=_texts("note", data["notes_tr"]),
            warnings=_texts("warning", data["warnings_tr"]),
            guides=guides,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise GuideError(f"{name}: {exc}") from exc
    missing = set(GuidedOperation) - set(guides)
    if missing:
        raise GuideError(f"{name}: no guide for {sorted(missing)}")
    return book


def _texts(kind: str, body: dict[str, Any]) -> tuple[GuideText, ...]:
    return tuple(
        GuideText(f"{MESSAGE_PREFIX}.{kind}.{name}", str(text)) for name, text in body.items()
    )


def _guide(operation: GuidedOperation, body: dict[str, Any]) -> Guide:
    steps = tuple(_step(operation, s) for s in body["steps"])
    if not steps:
        raise GuideError(f"{operation}: no steps")
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids) or "title" in ids:
        raise GuideError(f"{operation}: duplicate step ids (or a step called title)")
    return Guide(
        operation=operation,
        title_tr=str(body["title_tr"]),
        title_id=f"{MESSAGE_PREFIX}.{operation}.title",
        steps=steps,
        checks=tuple(LocalCheck(c) for c in body.get("checks", [])),
        requires=tuple(GuidedOperation(r) for r in body.get("requires", [])),
    )


def _step(operation: GuidedOperation, body: dict[str, Any]) -> GuideStep:
    action = StepAction(body["action"])
    secret = SecretKind(body["secret"]) if body.get("secret") else None
    if (secret is not None) != (action is StepAction.TYPE_SECRET_ON_SITE):
        raise GuideError(f"step {body.get('id')}: a secret goes with type_secret_on_site only")
    return GuideStep(
        id=str(body["id"]),
        message_id=f"{MESSAGE_PREFIX}.{operation}.{body['id']}",
        page=str(body["page"]),
        action=action,
        target=str(body["target"]),
        text_tr=str(body["text_tr"]),
        secret=secret,
        dangerous=bool(body.get("dangerous", False)),
    )

"""The training portal's HTTP face (Starlette): JSON API, outbox page, OpenAPI document.

Every response carries the `X-Training-Portal` banner header (ASCII-folded) and
`Cache-Control: no-store` (the PIN page must not sit in a cache); HTML pages show the
banner on top. The routes and their JSON are written down in `openapi.yaml`, served at
/openapi.json; a test checks the two never drift apart.

Testing the captcha without making it meaningless: the image is all a normal client
gets. `GET /api/training/captcha/{login_id}` returns the answer only when the app was
created with a training key and the request carries it in `X-Training-Key`; without a
key configured it answers 404. Tests and a trainer's console hold the key; the agent
driving the portal for a trainee does not.

Malformed input gets a 4xx, never a 5xx: a body is read only up to MAX_BODY, must be a
JSON object nested at most `boundedjson.MAX_DEPTH` deep, and its texts must be Unicode
a file can hold (no lone surrogates, no NUL); anything else is `400 invalid_request`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hmac
import html
import random
import re
import secrets
import time
from pathlib import Path
from typing import Any

import yaml
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.boundedjson import parse_object
from assistant.pki.tckn import mask_tckn
from assistant.portal.api import RevocationReason, SessionStage
from assistant.portal.reference import BANNER, BANNER_ASCII
from assistant.portal.reference.outbox import Outbox
from assistant.portal.reference.service import (
    CertificateView,
    Clock,
    GoneError,
    Limits,
    PortalService,
)
from assistant.portal.reference.store import PortalStore, create_state, load_seed
from assistant.resources import packaged
from assistant.secret import Secret, SecretKind

BANNER_HEADER = "X-Training-Portal"
TRAINING_KEY_HEADER = "X-Training-Key"
OPENAPI_PATH = packaged("portal", "reference", "openapi.yaml")
MAX_BODY = 16 * 1024
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # "\ud800" is valid JSON, not writable UTF-8
MENU = (
    "Askıdan İndir",
    "Sertifikamı İptal Et",
    "Bilgi Güncelle",
    "Sertifika Listele",
    "PIN / PUK Bilgisi",
    "Kilit Çözme",
    "Çıkış",
)


class BadRequestError(Exception):
    pass


def create_app(
    state_path: Path,
    *,
    seed_path: Path | None = None,
    outbox_path: Path | None = None,
    training_key: str | None = None,
    limits: Limits | None = None,
    clock: Clock = time.time,
    rng: random.Random | None = None,
) -> Starlette:
    """The portal over `state_path`, created from `seed_path` when the state is missing.

    The outbox (the trainee's "phone") defaults to `<state>.outbox.jsonl`.
    """
    store = PortalStore(state_path)
    if not state_path.exists():
        if seed_path is None:
            raise FileNotFoundError(f"{state_path} missing and no seed given")
        create_state(store, load_seed(seed_path))
    outbox = Outbox(outbox_path or state_path.with_name(state_path.name + ".outbox.jsonl"))
    service = PortalService(store, outbox, limits or Limits(), clock, rng or secrets.SystemRandom())
    api = _Api(service, training_key)
    openapi = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    routes = [
        Route("/", _index, methods=["GET"]),
        Route("/openapi.json", lambda _: JSONResponse(openapi), methods=["GET"]),
        Route("/outbox", api.outbox_page, methods=["GET"]),
        Route("/outbox.json", api.outbox_json, methods=["GET"]),
        Route("/api/login", api.begin_login, methods=["POST"]),
        Route("/api/login/{login_id}/credentials", api.credentials, methods=["POST"]),
        Route("/api/login/{login_id}/sms", api.sms, methods=["POST"]),
        Route("/api/training/captcha/{login_id}", api.captcha_answer, methods=["GET"]),
        Route("/api/certificates", api.certificates, methods=["GET"]),
        Route("/api/certificates/{serial}", api.certificate, methods=["GET"]),
        Route("/api/certificates/{serial}/suspend", api.suspend, methods=["POST"]),
        Route("/api/certificates/{serial}/unsuspend", api.unsuspend, methods=["POST"]),
        Route("/api/certificates/{serial}/revoke", api.revoke, methods=["POST"]),
        Route("/api/holder", api.holder, methods=["GET"]),
        Route("/api/holder", api.update_holder, methods=["PATCH"]),
        Route("/api/pin", api.pin, methods=["GET"]),
        Route("/api/pin", api.delete_pin, methods=["DELETE"]),
        Route("/api/pin/pdf", api.pin_pdf, methods=["GET"]),
        Route("/api/unlock", api.unlock, methods=["POST"]),
        Route("/api/logout", api.logout, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={GoneError: _gone, BadRequestError: _bad_request},  # type: ignore[dict-item]
    )
    app.state.service = service
    app.add_middleware(_BannerMiddleware)
    return app


class _BannerMiddleware:
    """Adds the banner and no-store to every response, errors and 404s included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_banner(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((BANNER_HEADER.lower().encode(), BANNER_ASCII.encode("ascii")))
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_banner)


class _Api:
    def __init__(self, service: PortalService, training_key: str | None) -> None:
        self.service = service
        self.training_key = training_key

    async def begin_login(self, request: Request) -> Response:
        body = await _json(request)
        try:
            login_id, png = self.service.begin_login(_str(body, "tckn"))
        except ValueError as exc:
            raise BadRequestError("tckn") from exc
        return JSONResponse({"login_id": login_id, "captcha": _captcha(png)})

    async def credentials(self, request: Request) -> Response:
        body = await _json(request)
        login_id = request.path_params["login_id"]
        captcha_text = _str(body, "captcha")
        with Secret(_str(body, "security_word"), SecretKind.SECURITY_WORD) as word:
            answer = await run_in_threadpool(
                self.service.submit_login, login_id, captcha_text, word
            )
        return JSONResponse(
            {
                "outcome": answer.outcome.value,
                "captcha": _captcha(answer.captcha_png) if answer.captcha_png else None,
                "tries_left": answer.tries_left,
                "retry_after_s": answer.retry_after_s,
                "masked_mobile": answer.masked_mobile,
            }
        )

    async def sms(self, request: Request) -> Response:
        body = await _json(request)
        with Secret(_str(body, "code"), SecretKind.SMS_CODE) as code:
            answer = self.service.submit_sms(request.path_params["login_id"], code)
        return JSONResponse(
            {
                "outcome": answer.outcome.value,
                "tries_left": answer.tries_left,
                "session": answer.session,
            }
        )

    async def captcha_answer(self, request: Request) -> Response:
        offered = request.headers.get(TRAINING_KEY_HEADER, "")
        if self.training_key is None or not hmac.compare_digest(
            offered.encode(), self.training_key.encode()
        ):
            return JSONResponse({"error": "training_disabled"}, status_code=404)
        text = self.service.captcha_answer(request.path_params["login_id"])
        return JSONResponse({"captcha": text})

    async def certificates(self, request: Request) -> Response:
        views = self.service.certificates(_token(request))
        return JSONResponse({"certificates": [_summary(v) for v in views]})

    async def certificate(self, request: Request) -> Response:
        view = self.service.certificate(_token(request), request.path_params["serial"])
        if view is None:
            return JSONResponse({"error": "unknown_certificate"}, status_code=404)
        record = view.record
        return JSONResponse(
            {
                **_summary(view),
                "subject_serial": self.service.holder(_token(request)).tckn,
                "issuer_cn": record.issuer_cn,
                "key_type": record.key_type,
                "policy_oid": record.policy_oid,
                "status_changed_at": _iso(record.status_changed_at),
                "revocation_reason": record.revocation_reason,
            }
        )

    async def suspend(self, request: Request) -> Response:
        change = self.service.suspend(_token(request), request.path_params["serial"])
        return JSONResponse({"outcome": change.value})

    async def unsuspend(self, request: Request) -> Response:
        change = self.service.unsuspend(_token(request), request.path_params["serial"])
        return JSONResponse({"outcome": change.value})

    async def revoke(self, request: Request) -> Response:
        body = await _json(request)
        try:
            reason = RevocationReason(body.get("reason", RevocationReason.UNSPECIFIED.value))
        except ValueError as exc:
            raise BadRequestError("reason") from exc
        change = self.service.revoke(_token(request), request.path_params["serial"], reason)
        return JSONResponse({"outcome": change.value})

    async def holder(self, request: Request) -> Response:
        holder = self.service.holder(_token(request))
        return JSONResponse(
            {
                "name": holder.name,
                "masked_tckn": mask_tckn(holder.tckn),
                "mobile": holder.mobile,
                "email": holder.email,
                "address": holder.address,
            }
        )

    async def update_holder(self, request: Request) -> Response:
        body = await _json(request)
        fields = {name: _optional_str(body, name) for name in ("mobile", "email", "address")}
        outcome = self.service.update_info(_token(request), **fields)
        return JSONResponse({"outcome": outcome.value})

    async def pin(self, request: Request) -> Response:
        view = self.service.pin(_token(request))
        if view.pin is None:
            return JSONResponse({"state": view.state.value, "pin": None, "generated_at": None})
        with view.pin:
            return JSONResponse(
                {
                    "state": view.state.value,
                    "pin": view.pin.reveal(),
                    "generated_at": _iso(view.generated_at),
                }
            )

    async def pin_pdf(self, request: Request) -> Response:
        pdf = self.service.pin_pdf(_token(request))
        if pdf is None:
            return JSONResponse({"error": "pin_deleted"}, status_code=409)
        disposition = 'attachment; filename="PIN_Bilgisi.pdf"'
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )

    async def delete_pin(self, request: Request) -> Response:
        return JSONResponse({"outcome": self.service.delete_pin(_token(request)).value})

    async def unlock(self, request: Request) -> Response:
        body = await _json(request)
        agent_key = _str(body, "agent_key")
        try:
            base64.b64decode(agent_key, validate=True)
        except ValueError as exc:
            raise BadRequestError("agent_key") from exc
        proposed = _optional_str(body, "new_pin")
        new_pin = Secret(proposed, SecretKind.PIN) if proposed is not None else None
        try:
            answer = self.service.unlock(_token(request), agent_key, new_pin)
        except ValueError as exc:  # not an X25519 public key
            raise BadRequestError("agent_key") from exc
        finally:
            if new_pin is not None:
                new_pin.wipe()
        sealed = answer.sealed.to_json() if answer.sealed else None
        return JSONResponse({"outcome": answer.outcome.value, "sealed": sealed})

    async def logout(self, request: Request) -> Response:
        token = _bearer(request)
        if token:
            self.service.logout(token)
        return JSONResponse({"outcome": "logged_out"})

    async def outbox_page(self, request: Request) -> Response:
        rows = "".join(
            f"<tr><td>{html.escape(m.sent_at)}</td><td>{html.escape(m.to)}</td>"
            f"<td>{html.escape(m.text)}</td></tr>"
            for m in reversed(self.service.outbox.messages())
        )
        table = f"<table><tr><th>Zaman</th><th>Alıcı</th><th>Mesaj</th></tr>{rows}</table>"
        return HTMLResponse(_page("Telefon (SMS kutusu)", table))

    async def outbox_json(self, request: Request) -> Response:
        messages = [dataclasses.asdict(m) for m in self.service.outbox.messages()]
        return JSONResponse({"messages": messages})


async def _index(request: Request) -> Response:
    items = "".join(f"<li>{html.escape(item)}</li>" for item in MENU)
    body = (
        "<h2>Bireysel Nitelikli Elektronik Sertifika İşlemleri</h2>"
        f"<ul>{items}</ul>"
        '<p><a href="/outbox">SMS kutusu (eğitim telefonu)</a> · '
        '<a href="/openapi.json">OpenAPI</a></p>'
    )
    return HTMLResponse(_page("Kamu SM eğitim portalı", body))


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="tr"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>"
        '<div role="alert" style="background:#b00020;color:#fff;padding:8px;font-weight:bold">'
        f"{html.escape(BANNER)}</div><h1>{html.escape(title)}</h1>{body}</body></html>"
    )


async def _gone(request: Request, exc: GoneError) -> Response:
    return JSONResponse({"error": "expired", "stage": exc.stage.value}, status_code=401)


async def _bad_request(request: Request, exc: BadRequestError) -> Response:
    return JSONResponse({"error": "invalid_request", "field": str(exc)}, status_code=400)


async def _json(request: Request) -> dict[str, Any]:
    raw = bytearray()
    async for chunk in request.stream():  # never more than MAX_BODY in memory
        raw += chunk
        if len(raw) > MAX_BODY:
            raise BadRequestError("body")
    if not raw:
        return {}
    data = parse_object(bytes(raw))
    if data is None:
        raise BadRequestError("body")
    return data


def _str(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or _UNSTORABLE.search(value):
        raise BadRequestError(name)
    return value


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    return None if body.get(name) is None else _str(body, name)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _token(request: Request) -> str:
    token = _bearer(request)
    if token is None:
        raise GoneError(SessionStage.SESSION)
    return token


def _captcha(png: bytes) -> dict[str, str]:
    return {"media_type": "image/png", "data": base64.b64encode(png).decode("ascii")}


def _summary(view: CertificateView) -> dict[str, Any]:
    record = view.record
    return {
        "serial": record.serial,
        "subject_cn": record.subject_cn,
        "status": view.status.value,
        "not_before": _iso(record.not_before),
        "not_after": _iso(record.not_after),
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None

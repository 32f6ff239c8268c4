"""Who may talk to the loopback web chat: the checks in front of every request.

Binding to 127.0.0.1 keeps other machines out, but not other web pages in the person's
own browser. Three checks close that gap:
- Host must name this server exactly (127.0.0.1:PORT or localhost:PORT). A page on
  evil.example whose DNS name is re-pointed at 127.0.0.1 (DNS rebinding) sends its own
  name as Host, so it is refused before any route runs.
- Origin of a WebSocket must be this server's page. Browsers do not apply the same-origin
  policy to WebSockets, so without this any site could open one and chat with the card.
- The per-start token, known only to whoever was shown the URL, must come with the
  WebSocket; it is compared in constant time and never logged.
An upload (a document for the sign or verify flow) is held to the same Origin and token
checks as the WebSocket, the token in a header. A download needs the random folder name
that only the uploading page was told, and no other site's page may ask for it.
Every HTTP answer also carries headers that keep the page out of frames, caches, Referer
headers and inline-script injection.
"""

from __future__ import annotations

import hmac
import logging

from starlette.datastructures import Headers, QueryParams
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketClose

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
WEBSOCKET_PATH = "/ws"
UPLOAD_PATH = "/upload"
DOWNLOAD_PREFIX = "/download/"
TOKEN_HEADER = "x-token"


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host header values that name this server (lower case)."""
    return frozenset(f"{name}:{port}" for name in LOOPBACK_NAMES)


def allowed_origins(port: int) -> frozenset[str]:
    """The only pages allowed to open the chat's WebSocket: this server's own."""
    return frozenset(f"http://{host}" for host in allowed_hosts(port))


def token_matches(offered: str | None, token: str) -> bool:
    """Constant-time comparison, so response timing says nothing about the token."""
    if offered is None:
        return False
    return hmac.compare_digest(offered.encode("utf-8"), token.encode("utf-8"))


def refusal(scope: Scope, token: str, port: int) -> tuple[int, str] | None:
    """Why a request must be refused, as (HTTP status, reason for the log); None if fine."""
    headers = Headers(scope=scope)
    if headers.get("host", "").lower() not in allowed_hosts(port):
        return 400, "foreign Host header"
    if scope["type"] != "websocket":
        return _http_refusal(scope, headers, token, port)
    if headers.get("origin", "").lower() not in allowed_origins(port):
        return 403, "foreign or missing Origin"
    if scope["path"] != WEBSOCKET_PATH:
        return None  # no such route: the router answers with a close
    if not token_matches(QueryParams(scope.get("query_string", b"")).get("token"), token):
        return 403, "wrong or missing token"
    return None


def _http_refusal(scope: Scope, headers: Headers, token: str, port: int) -> tuple[int, str] | None:
    path = scope["path"]
    if path == UPLOAD_PATH:
        if headers.get("origin", "").lower() not in allowed_origins(port):
            return 403, "upload: foreign or missing Origin"
        if not token_matches(headers.get(TOKEN_HEADER), token):
            return 403, "upload: wrong or missing token"
    if path.startswith(DOWNLOAD_PREFIX) and headers.get("sec-fetch-site", "none") not in (
        "same-origin",
        "none",
    ):
        return 403, "download: asked for by another site"
    return None


def security_headers(port: int) -> dict[str, str]:
    """Headers for every HTTP response: no inline script, no framing, no caching."""
    sockets = " ".join(f"ws://{host}" for host in sorted(allowed_hosts(port)))
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {sockets}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return {
        "content-security-policy": policy,
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
    }


class LoopbackGuard:
    """ASGI middleware: refuses what `refusal` names and adds `security_headers`."""

    def __init__(self, app: ASGIApp, *, token: str, port: int) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.headers = security_headers(port)
        self.raw_headers = [(name.encode(), value.encode()) for name, value in self.headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = refusal(scope, self.token, self.port)
        if refused is not None:
            status, reason = refused
            log.info("web chat: refused %s %s (%s)", scope["type"], scope["path"], reason)
            await self._refuse(scope, receive, send, status)
            return
        if scope["type"] == "http":
            send = self._with_headers(send)
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int) -> None:
        response = PlainTextResponse(
            "Bad Request" if status == 400 else "Forbidden", status, headers=self.headers
        )
        if scope["type"] == "http" or "websocket.http.response" in scope.get("extensions", {}):
            await response(scope, receive, send)  # for a WebSocket: the denial extension
        else:
            await WebSocketClose(code=1008)(scope, receive, send)

    def _with_headers(self, send: Send) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.raw_headers]}
            await send(message)

        return send_with_headers

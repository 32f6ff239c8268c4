"""Host, Origin and token checks of the loopback web chat, through Starlette's TestClient.

The guard wraps a small real app here (a page and a WebSocket that greets), so each
refusal is seen exactly as a browser would see it: an HTTP status, or a WebSocket
handshake denied before the app ever runs.
"""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient, WebSocketDenialResponse
from starlette.websockets import WebSocket

from assistant.channels.web.guard import LoopbackGuard, token_matches

PORT = 8123
TOKEN = "s3cret-token_value"
ORIGIN = f"http://127.0.0.1:{PORT}"
reached: list[str] = []


async def page(request: Request) -> PlainTextResponse:
    reached.append("page")
    return PlainTextResponse("page")


async def chat(websocket: WebSocket) -> None:
    reached.append("ws")
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


@pytest.fixture
def client() -> TestClient:
    reached.clear()
    app = Starlette(
        routes=[Route("/", page), WebSocketRoute("/ws", chat)],
        middleware=[Middleware(LoopbackGuard, token=TOKEN, port=PORT)],
    )
    return TestClient(app, base_url=ORIGIN)


def test_own_host_gets_the_page_with_security_headers(client: TestClient) -> None:
    for host in (f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"LOCALHOST:{PORT}"):
        response = client.get("/", headers={"host": host})
        assert response.status_code == 200, host
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        f"evil.example:{PORT}",
        "127.0.0.1",
        f"127.0.0.1:{PORT + 1}",
        f"[::1]:{PORT}",
        "",
    ],
)
def test_foreign_host_is_refused_before_any_route(client: TestClient, host: str) -> None:
    response = client.get("/", headers={"host": host})
    assert response.status_code == 400
    assert response.headers["x-frame-options"] == "DENY"
    with pytest.raises(WebSocketDenialResponse) as denied:
        _handshake(client, f"/ws?token={TOKEN}", {"host": host, "origin": ORIGIN})
    assert denied.value.status_code == 400
    assert reached == []


def test_own_page_with_the_token_may_open_the_websocket(client: TestClient) -> None:
    for origin, host in (
        (ORIGIN, f"127.0.0.1:{PORT}"),
        (f"http://localhost:{PORT}", f"localhost:{PORT}"),
    ):
        with client.websocket_connect(
            f"ws://{host}/ws?token={TOKEN}", headers={"origin": origin}
        ) as ws:
            assert ws.receive_text() == "hello"
    assert reached == ["ws", "ws"]


@pytest.mark.parametrize(
    ("query", "origin"),
    [
        ("", ORIGIN),
        ("?token=", ORIGIN),
        ("?token=" + TOKEN[:-1], ORIGIN),
        ("?token=" + TOKEN + "x", ORIGIN),
        ("?token=" + TOKEN.upper(), ORIGIN),
        ("?token=" + TOKEN, "http://evil.example"),
        ("?token=" + TOKEN, f"http://127.0.0.1:{PORT + 1}"),
        ("?token=" + TOKEN, f"https://127.0.0.1:{PORT}"),
        ("?token=" + TOKEN, "null"),
        ("?token=" + TOKEN, None),
    ],
)
def test_websocket_without_token_or_from_another_origin_is_denied(
    client: TestClient, query: str, origin: str | None
) -> None:
    headers = {} if origin is None else {"origin": origin}
    with pytest.raises(WebSocketDenialResponse) as denied:
        _handshake(client, "/ws" + query, headers)
    assert denied.value.status_code == 403
    assert TOKEN not in denied.value.text
    assert reached == []


def test_token_comparison() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(None, TOKEN)
    assert not token_matches("", TOKEN)
    assert not token_matches(TOKEN + "\u0131", TOKEN)  # non-ASCII input is compared, not an error


def _handshake(client: TestClient, url: str, headers: dict[str, str]) -> None:
    with client.websocket_connect(f"ws://127.0.0.1:{PORT}{url}", headers=headers):
        pass  # reached only if the handshake was accepted

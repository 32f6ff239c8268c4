"""The web chat refuses everyone but its own page: token, Origin, Host, loopback only.

Each refusal is what stands between a web page the person happens to have open in
another tab (or a DNS-rebinding page, or another machine on the network) and their card.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from assistant.demo.virtual_card import VirtualCard
from tests.integration.web.client import (
    first_prompt,
    handshake_status,
    next_turn,
    open_chat,
    reply,
    to_knows_pin,
)
from tests.integration.web.server import WebServer, start_server

pytestmark = pytest.mark.integration


def test_page_and_static_files_carry_security_headers(web_server: WebServer) -> None:
    for path in ("/", "/static/chat.js", "/static/chat.css"):
        response = httpx.get(web_server.origin + path, trust_env=False, timeout=30)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
    page = httpx.get(web_server.origin + "/", trust_env=False, timeout=30).text
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all("src=" in tag for tag in scripts)  # no inline script at all
    assert web_server.token not in page


def test_foreign_host_is_refused(web_server: WebServer) -> None:
    """DNS rebinding: evil.example resolving to 127.0.0.1 still sends Host: evil.example."""
    port = web_server.port
    for host in (
        f"evil.example:{port}",
        "127.0.0.1",
        f"127.0.0.1:{port + 1}",
        f"localhost.:{port}",
    ):
        response = httpx.get(
            web_server.origin + "/", headers={"Host": host}, trust_env=False, timeout=30
        )
        assert response.status_code == 400, host
        status = handshake_status(
            port,
            host=host,
            origin=web_server.origin,
            path=f"/ws?token={web_server.token}",
        )
        assert status == 400, host
    assert (
        handshake_status(
            port,
            host=f"localhost:{port}",
            origin=f"http://localhost:{port}",
            path=f"/ws?token={web_server.token}",
        )
        == 101
    )


def test_websocket_needs_the_token_and_the_pages_own_origin(web_server: WebServer) -> None:
    port, token = web_server.port, web_server.token
    host, origin = f"127.0.0.1:{port}", web_server.origin
    refused = {
        "no token": (origin, "/ws"),
        "empty token": (origin, "/ws?token="),
        "wrong token": (origin, "/ws?token=" + "A" * len(token)),
        "token prefix": (origin, "/ws?token=" + token[:-1]),
        "foreign origin": ("http://evil.example", f"/ws?token={token}"),
        "other port": (f"http://127.0.0.1:{port + 1}", f"/ws?token={token}"),
        "https origin": (f"https://127.0.0.1:{port}", f"/ws?token={token}"),
        "null origin": ("null", f"/ws?token={token}"),
        "no origin": (None, f"/ws?token={token}"),
    }
    for case, (case_origin, path) in refused.items():
        assert handshake_status(port, host=host, origin=case_origin, path=path) == 403, case
    assert handshake_status(port, host=host, origin=origin, path=f"/ws?token={token}") == 101


def test_listens_on_127_0_0_1_only(web_server: WebServer) -> None:
    port = web_server.port
    listening = _listeners(Path("/proc/net/tcp"), port) + _listeners(Path("/proc/net/tcp6"), port)
    assert listening == ["0100007F"]  # 127.0.0.1, and no IPv6 socket at all
    for address, family in (("127.0.0.2", socket.AF_INET), ("::1", socket.AF_INET6)):
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            with pytest.raises(OSError):
                sock.connect((address, port))


def _listeners(table: Path, port: int) -> list[str]:
    """Local addresses (hex, as the kernel writes them) of LISTEN sockets on `port`."""
    if not table.exists():
        return []
    found = []
    for line in table.read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.append(address)
    return found


def test_first_turn_speaks_the_requested_language_and_direction(web_server: WebServer) -> None:
    with open_chat(web_server, "&lang=ar", **{"Accept-Language": "de-DE"}) as ws:
        turn = to_knows_pin(ws)
    assert (turn["lang"], turn["dir"]) == ("ar", "rtl")
    assert set(turn["ui"]) >= {"reply_label", "secret.pin", "send", "disconnected", "ended"}
    knows_pin = turn["outputs"][-1]
    assert knows_pin["kind"] == "choice"
    assert [c["id"] for c in knows_pin["choices"]] == ["yes", "no"]


def test_a_second_tab_takes_the_conversation_over(web_server: WebServer) -> None:
    with open_chat(web_server, **{"Accept-Language": "en-GB,en;q=0.9,tr;q=0.5"}) as first:
        turn = to_knows_pin(first)
        assert (turn["lang"], turn["dir"]) == ("en", "ltr")
        reply(first, "1")  # yes, I know my PIN
        asked = next_turn(first)
        assert [o["kind"] for o in asked["outputs"]] == ["secret_request"]
        with open_chat(web_server) as second:
            resumed = next_turn(second)
            ids = [o["id"] for o in resumed["outputs"]]
            assert ids[0] == "agent.resumed" and "onboarding.ask_pin" in ids
            with pytest.raises(ConnectionClosed) as closed:
                first.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4000


def test_a_message_the_page_never_sends_closes_the_socket(web_server: WebServer) -> None:
    with open_chat(web_server) as ws:
        first_prompt(ws)
        ws.send("not json")
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_sigterm_shuts_down_cleanly(web_server: WebServer) -> None:
    with open_chat(web_server) as ws:
        first_prompt(ws)
        assert web_server.stop() == 0
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=10)
    with pytest.raises(httpx.ConnectError):
        httpx.get(web_server.origin + "/", trust_env=False, timeout=5)


def test_the_web_chat_attaches_to_a_running_agent(
    akis_card: VirtualCard,
    agent_process: Callable[[], subprocess.Popen[bytes]],
    opensc_module: Path,
    tmp_path: Path,
) -> None:
    agent = agent_process()  # holds the card; the web server must not open it itself
    server = start_server(tmp_path, opensc_module)
    try:
        with open_chat(server) as ws:
            first = first_prompt(ws)
            assert any("Size nasıl yardımcı olabilirim" in o["text"] for o in first["outputs"])
            agent.send_signal(signal.SIGTERM)
            assert agent.wait(15) == 0
            ws.send(json.dumps({"type": "reply", "text": "yardım"}))
            with pytest.raises(ConnectionClosed):  # its conversation lived in the agent
                next_turn(ws, timeout=15)
    finally:
        assert server.stop() == 0

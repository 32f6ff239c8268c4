"""`nes-asistan web`: the loopback web chat, served to this machine's browser only.

The listening socket is bound to 127.0.0.1 here, before uvicorn runs, so that port 0
(the default: any free port) is resolved up front and the app can check Host and Origin
against the real port. The socket listens before the URL is printed, so a browser that
is quicker than the server's start-up waits in the backlog instead of being refused.

The per-start token travels in the URL fragment, which browsers never send to a server;
the WebSocket URL carries it as a query parameter, so uvicorn's access log and its INFO
lines (which name that URL) are off; its warnings and errors go to the agent's JSON log
file, not the screen. A refused handshake is the guard doing its job, so it is logged at
INFO, never ERROR, and so is a junk frame (see `ClientFaultFilter`).
"""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import socket
import webbrowser
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import uvicorn
    from starlette.types import ASGIApp

HOST = "127.0.0.1"
MAX_WS_BYTES = 64 * 1024
SHUTDOWN_GRACE_SECONDS = 5


def listening_socket(port: int) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:`port` (0: a free one) and already listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.listen(64)
    return sock


class ClientFaultFilter(logging.Filter):
    """Keeps uvicorn's records of a client's fault at INFO, without a traceback.

    uvicorn's websockets-sansio protocol logs at ERROR "ASGI callable returned without
    completing handshake" after every WebSocket the guard refuses with an HTTP status (it
    never marks a denial response as the end of the handshake: Kludex/uvicorn#3138), and
    "Invalid UTF-8 sequence received from client" with a traceback for a text frame that
    is not UTF-8, which it then closes with 1007. Both are a client refused as it should
    be, not a fault of ours: ERROR lines are kept for those."""

    MESSAGES = frozenset(
        {
            "ASGI callable returned without completing handshake.",
            "Invalid UTF-8 sequence received from client.",
        }
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.ERROR and record.getMessage() in self.MESSAGES:
            record.levelno, record.levelname = logging.INFO, "INFO"
            record.exc_info = record.exc_text = None
        return True


def server_config(app: ASGIApp) -> uvicorn.Config:
    """uvicorn as the web chat runs it: no access log, WebSocket frames capped."""
    import uvicorn

    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, ClientFaultFilter) for f in logger.filters):
        logger.addFilter(ClientFaultFilter())
    return uvicorn.Config(
        app,
        log_config=None,  # records propagate to the JSON log file set up above
        access_log=False,  # request lines would carry the token
        log_level="warning",  # uvicorn's INFO lines name the WebSocket URL, token and all
        ws="websockets-sansio",
        ws_max_size=MAX_WS_BYTES,
        lifespan="off",
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


def main(args: argparse.Namespace) -> int:
    import uvicorn

    from assistant.agent import logs
    from assistant.agent.client import attach_opener
    from assistant.agent.core import Agent, load_agent
    from assistant.agent.server import agent_answers
    from assistant.channels.web.app import create_app
    from assistant.i18n.catalog import translator as catalog_translator
    from assistant.paths import agent_socket

    logs.configure("web")
    agent: Agent | None = None
    path = agent_socket()
    if agent_answers(path):  # `nes-asistan agent` holds the card: attach to it
        opener, translator = attach_opener(path), catalog_translator()
    else:
        agent = load_agent()
        if agent is None:
            return 2
        opener, translator = agent.conversation, agent.translator
    sock = listening_socket(getattr(args, "port", 0) or 0)
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(32)
    app = create_app(opener, translator, token, port=port, language=getattr(args, "lang", None))
    config = server_config(app)
    url = f"http://{HOST}:{port}/#{token}"
    previous = signal.signal(signal.SIGTERM, _terminated)
    if agent is not None:
        agent.start()
    try:
        print(f"NES Asistanı: {url}", flush=True)
        if not getattr(args, "no_browser", False):
            webbrowser.open(url)
        uvicorn.Server(config).run(sockets=[sock])
    except _TerminatedError:
        pass  # uvicorn shut down gracefully, then re-raised the SIGTERM it caught
    finally:
        if agent is not None:
            agent.stop()
        sock.close()
        signal.signal(signal.SIGTERM, previous)
    return 0


class _TerminatedError(Exception):
    """SIGTERM, turned into an exception so the agent is stopped before the exit."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise _TerminatedError

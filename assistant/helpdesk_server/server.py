"""`nes-asistan helpdesk --config FILE`: the relay and the Telegram bot in one process.

One asyncio loop runs uvicorn (the relay API, TLS when the configuration names a
certificate) and the python-telegram-bot Application (long polling), sharing one SQLite
store. Secrets for the server itself come from the environment only, never from the
configuration file, which is meant to be checked into the organisation's config
management: the bot token (`NES_HELPDESK_BOT_TOKEN`) and the agent token(s)
(`NES_HELPDESK_AGENT_TOKENS`, comma-separated, so a token can be rotated with overlap).

Example configuration (TOML):

    [relay]
    host = "0.0.0.0"
    port = 8443
    ssl_certfile = "/etc/nes-helpdesk/fullchain.pem"
    ssl_keyfile = "/etc/nes-helpdesk/privkey.pem"

    [store]
    path = "/var/lib/nes-helpdesk/helpdesk.db"   # the pairing key goes next to it (.key)

    [session]
    idle_minutes = 30
    max_waiting = 200      # sessions that may wait for an operator at once (code length)

    [operators]            # Telegram user id = name shown to the person
    123456789 = "Ayşe (BİDB)"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from assistant.flow.model import Problem
from assistant.flow.outputs import Translator
from assistant.flow.scrubbing import ReplyScrubber
from assistant.helpdesk_server.pairing import MAX_WAITING, Pairing, load_key
from assistant.helpdesk_server.relay import IDLE_TIMEOUT, RelayHub
from assistant.helpdesk_server.store import Clock, HelpdeskStore
from assistant.helpdesk_server.telegram.bot import TelegramBot, guidance_flows, run_polling_errors

log = logging.getLogger(__name__)

BOT_TOKEN_ENV = "NES_HELPDESK_BOT_TOKEN"
AGENT_TOKENS_ENV = "NES_HELPDESK_AGENT_TOKENS"


@dataclass(frozen=True)
class HelpdeskConfig:
    database: Path
    flows: Path
    operators: dict[int, str] = field(default_factory=dict)
    host: str = "127.0.0.1"
    port: int = 8765
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    idle_timeout: float = IDLE_TIMEOUT
    max_waiting: int = MAX_WAITING


def load_config(path: Path) -> HelpdeskConfig:
    """The TOML configuration; relative paths are relative to the file."""
    from assistant.resources import shipped_flows

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    base = path.parent
    relay, store, session = data.get("relay", {}), data.get("store", {}), data.get("session", {})

    def at(value: str | None) -> Path | None:
        return None if value is None else base / value

    return HelpdeskConfig(
        database=base / store.get("path", "helpdesk.db"),
        flows=at(data.get("flows")) or shipped_flows(),
        operators={int(k): str(v) for k, v in data.get("operators", {}).items()},
        host=relay.get("host", "127.0.0.1"),
        port=int(relay.get("port", 8765)),
        ssl_certfile=at(relay.get("ssl_certfile")),
        ssl_keyfile=at(relay.get("ssl_keyfile")),
        idle_timeout=float(session.get("idle_minutes", IDLE_TIMEOUT / 60)) * 60,
        max_waiting=int(session.get("max_waiting", MAX_WAITING)),
    )


class FlowProblemsError(RuntimeError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))


class HelpdeskServer:
    def __init__(
        self,
        config: HelpdeskConfig,
        *,
        bot_token: str,
        agent_tokens: list[str],
        bot_base_url: str | None = None,
        translator: Translator | None = None,
        clock: Clock = time.time,
    ) -> None:
        from assistant.i18n.catalog import translator as catalog_translator

        flows, problems = guidance_flows(config.flows)
        if problems:
            raise FlowProblemsError(problems)
        self.config = config
        self.store = HelpdeskStore(config.database, clock=clock)
        self.store.set_operators(config.operators)
        pairing = Pairing(
            self.store, load_key(config.database.with_suffix(".key")), config.max_waiting
        )
        self.bot = TelegramBot(self.store, flows, translator=translator or catalog_translator())
        self.hub = RelayHub(
            self.store, pairing, agent_tokens, self.bot.notify, idle_timeout=config.idle_timeout
        )
        self.bot.hub = self.hub
        self.application = self.bot.build(bot_token, base_url=bot_base_url)
        self._uvicorn: object | None = None

    async def serve(self, *, polling: bool = True, sock: socket.socket | None = None) -> None:
        """Run until `stop()` (or a signal, when on the main thread)."""
        import uvicorn

        config = uvicorn.Config(
            self.hub.app(),
            host=self.config.host,
            port=self.config.port,
            ssl_certfile=str(self.config.ssl_certfile) if self.config.ssl_certfile else None,
            ssl_keyfile=str(self.config.ssl_keyfile) if self.config.ssl_keyfile else None,
            lifespan="off",
            log_config=None,
            access_log=False,  # request lines carry nothing useful and could carry much
        )
        server = uvicorn.Server(config)
        self._uvicorn = server
        async with self.application:
            await self.application.start()
            updater = self.application.updater
            if polling and updater is not None:
                await updater.start_polling(error_callback=run_polling_errors)
            expiry = asyncio.create_task(self.hub.expire_forever())
            try:
                await server.serve(sockets=[sock] if sock is not None else None)
            finally:
                expiry.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await expiry
                if polling and updater is not None and updater.running:
                    await updater.stop()
                await self.application.stop()
                self.store.close()

    def stop(self) -> None:
        import uvicorn

        if isinstance(self._uvicorn, uvicorn.Server):
            self._uvicorn.should_exit = True


def configure_logging(stream: IO[str] | None = None) -> logging.Handler:
    """Plain lines on stderr (the service manager keeps them), with the agent's last line
    of defence: while a person's reply is being handled, every record has it masked,
    traceback included (`ReplyScrubber`). The handler, so a test can take it off again."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ReplyScrubber())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its lines contain the bot token
    return handler


def main(args: argparse.Namespace) -> int:
    """`nes-asistan helpdesk --config FILE`."""
    configure_logging()
    bot_token = os.environ.get(BOT_TOKEN_ENV, "")
    agent_tokens = [t for t in os.environ.get(AGENT_TOKENS_ENV, "").split(",") if t]
    if not bot_token or not agent_tokens:
        print(f"{BOT_TOKEN_ENV} ve {AGENT_TOKENS_ENV} ortam değişkenleri gerekli.", file=sys.stderr)
        return 2
    try:
        server = HelpdeskServer(
            load_config(Path(args.config)), bot_token=bot_token, agent_tokens=agent_tokens
        )
    except (OSError, ValueError, FlowProblemsError) as error:
        print(error, file=sys.stderr)
        return 2
    asyncio.run(server.serve())
    return 0

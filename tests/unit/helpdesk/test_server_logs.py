"""Canary: a reply a person sends the helpdesk's bot never reaches the server's log, even
when an exception quotes it while it is handled (the agent's ReplyScrubber, applied by
`nes-asistan helpdesk`'s own logging set-up)."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator

import pytest
from telegram import Update

from assistant.helpdesk_server.server import configure_logging
from assistant.helpdesk_server.store import HelpdeskStore
from assistant.helpdesk_server.telegram.bot import TelegramBot

CANARY = "gizli not 84639 kanarya"


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = configure_logging(stream)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


def _update(text: str) -> Update:
    return Update.de_json(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "from": {"id": 7, "is_bot": False, "first_name": "Ada"},
                "text": text,
            },
        },
        None,
    )


def test_an_exception_quoting_a_telegram_reply_reaches_the_server_log_scrubbed(
    store: HelpdeskStore, server_log: io.StringIO
) -> None:
    bot = TelegramBot(store, {})

    async def careless_guide(admitted: tuple[int, int, str], text: str | None) -> None:
        try:
            int(text or "")  # ValueError: invalid literal for int() ...: 'the reply'
        except ValueError:
            logging.getLogger("telegram.ext.Application").exception("update failed")

    bot._guide = careless_guide  # type: ignore[method-assign]
    asyncio.run(bot._text(_update(CANARY), None))  # type: ignore[arg-type]
    logged = server_log.getvalue()
    assert "ValueError" in logged and "invalid literal" in logged  # still useful
    for word in ("kanarya", "84639", "gizli not"):
        assert word not in logged
    # Outside the handling of a reply nothing is masked: the log keeps its other lines.
    logging.getLogger("assistant.helpdesk_server.relay").warning("support session 84639 ended")
    assert "support session 84639 ended" in server_log.getvalue()

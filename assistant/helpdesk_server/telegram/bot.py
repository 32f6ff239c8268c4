"""The helpdesk's Telegram bot: operator commands, and guidance flows for everyone else.

Operators (Telegram user ids on the allow-list) use `/join CODE`, `/say TEXT` (or plain
text while joined), `/suggest FLOW` and `/leave`; anyone else gets a polite refusal for
those. Everybody may talk to the bot for guidance: the `telegram_*` flows run on channel
"telegram" in the person's Telegram language, where the flow engine never asks for a
secret (lint refuses such a flow; at run time a secret step becomes a hand-off to the
local assistant), and whatever needs the card ends with how to pair the local assistant
with the helpdesk (`nes-asistan support`).

Every text this bot sends goes through `redact()` in `_send`, the one place that calls
the Bot API's sendMessage: the last line of defence even for texts that should already
be clean. What people write is never logged; logs carry chat ids and outcomes.

State that must survive a restart is in the store: the allow-list, who is joined where,
and each chat's position in its guidance flow (flow state only: choice ids, never free
text). Long polling rides out Telegram API errors with PTB's own retry loop; sending
retries on flood control and network errors with backoff.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import warnings
from collections import deque
from collections.abc import Mapping
from pathlib import Path

from telegram import Update
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from assistant.flow import replies
from assistant.flow.actions import Registry
from assistant.flow.loader import load_all
from assistant.flow.model import Flow, Problem, render
from assistant.flow.outputs import Handoff, Output, Translator
from assistant.flow.session import Session
from assistant.helpdesk.redact import redact
from assistant.helpdesk.texts import HELPDESK_TEXTS
from assistant.helpdesk_server.pairing import JoinOutcome
from assistant.helpdesk_server.relay import RelayHub
from assistant.helpdesk_server.store import HelpdeskStore
from assistant.helpdesk_server.telegram.texts import TELEGRAM_TEXTS
from assistant.i18n.catalog import source_text
from assistant.i18n.language import SOURCE_LANGUAGE, language_of

log = logging.getLogger(__name__)

CHANNEL = "telegram"
ROOT_FLOW = "telegram_menu"
FLOW_GLOB = "telegram_*.yaml"
CHAT_LIMIT = 20  # messages per chat …
CHAT_WINDOW = 60.0  # … per this many seconds
SEND_TRIES = 5
MAX_MESSAGE = 4000  # Telegram allows 4096 characters; leave room for the redaction marks
_TEXTS = {**HELPDESK_TEXTS, **TELEGRAM_TEXTS}

Context = ContextTypes.DEFAULT_TYPE


def guidance_flows(flows_path: Path) -> tuple[dict[str, Flow], list[Problem]]:
    """The `telegram_*` flows: the only ones the bot runs (no actions, no card)."""
    from assistant.flow.lint import lint

    flows, problems = load_all(sorted(flows_path.glob(FLOW_GLOB)))
    return flows, problems + lint(flows, Registry())


class ChatLimiter:
    """At most `limit` messages per chat in any `window` seconds; the rest are dropped."""

    def __init__(self, limit: int = CHAT_LIMIT, window: float = CHAT_WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[float]] = {}

    def allow(self, chat_id: int, now: float) -> bool:
        seen = self._seen.setdefault(chat_id, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True


class TelegramBot:
    def __init__(
        self,
        store: HelpdeskStore,
        flows: Mapping[str, Flow],
        *,
        translator: Translator = source_text,
        limiter: ChatLimiter | None = None,
    ) -> None:
        self.store = store
        self.flows = flows
        self.translate = translator
        self.limiter = limiter or ChatLimiter()
        self.hub: RelayHub | None = None  # set once the relay exists (they refer to each other)
        self.application: Application | None = None  # type: ignore[type-arg]
        self._languages: dict[int, str] = {}
        self._registry = Registry()

    def build(self, token: str, *, base_url: str | None = None) -> Application:  # type: ignore[type-arg]
        """The PTB application with this bot's handlers (long polling is the caller's)."""
        builder = ApplicationBuilder().token(token).concurrent_updates(False)
        if base_url is not None:
            builder = builder.base_url(base_url)
        application = builder.build()
        for name, handler in (
            ("start", self._start),
            ("join", self._join),
            ("leave", self._leave),
            ("say", self._say),
            ("suggest", self._suggest),
        ):
            application.add_handler(CommandHandler(name, handler))
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._text))
        application.add_error_handler(self._error)
        self.application = application
        return application

    # -- sending: the one way out --------------------------------------------------------
    async def _send(self, chat_id: int, text: str) -> None:
        """sendMessage, redacted, split to Telegram's size, retried with backoff."""
        assert self.application is not None
        for part in split_message(redact(text)):
            await self._send_part(chat_id, part)

    async def _send_part(self, chat_id: int, text: str) -> None:
        assert self.application is not None
        delay = 1.0
        for attempt in range(SEND_TRIES):
            try:
                await self.application.bot.send_message(chat_id=chat_id, text=text)
                return
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error))
            except Forbidden:
                log.info("chat %s blocked the bot; message dropped", chat_id)
                return
            except NetworkError:  # includes TimedOut
                if attempt == SEND_TRIES - 1:
                    raise
                await asyncio.sleep(delay)
                delay *= 2
        log.warning("chat %s: message dropped after %d tries", chat_id, SEND_TRIES)

    def _word(self, message_id: str, language: str, params: Mapping[str, str] | None = None) -> str:
        template = self.translate(message_id, _TEXTS[message_id], language)
        return render(template, params or {})

    async def notify(self, operator_id: int, message_id: str, params: Mapping[str, str]) -> None:
        """The relay's sink: tell an operator what happened in their session."""
        language = self._languages.get(operator_id, SOURCE_LANGUAGE)
        await self._send(operator_id, self._word(message_id, language, params))

    # -- every update ----------------------------------------------------------------------
    def _admit(self, update: Update) -> tuple[int, int, str] | None:
        """(chat id, user id, language) if the update may be handled now."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or user.is_bot:
            return None
        if not self.limiter.allow(chat.id, time.monotonic()):
            log.info("chat %s over its rate limit; update dropped", chat.id)
            return None
        language = language_of(user.language_code or "") or SOURCE_LANGUAGE
        self._languages[user.id] = language
        return chat.id, user.id, language

    async def _operator(self, update: Update) -> tuple[int, int, str, RelayHub] | None:
        """As `_admit`, for operator commands: others are refused politely."""
        admitted = self._admit(update)
        if admitted is None or self.hub is None:
            return None
        chat_id, user_id, language = admitted
        if self.store.operator_name(user_id) is None:
            log.info("operator command from a user not on the allow-list (%s)", user_id)
            await self._send(chat_id, self._word("telegram.not_operator", language))
            return None
        return chat_id, user_id, language, self.hub

    async def _error(self, update: object, context: Context) -> None:
        log.warning("update failed: %s", type(context.error).__name__)

    # -- operator commands -----------------------------------------------------------------
    async def _join(self, update: Update, context: Context) -> None:
        found = await self._operator(update)
        if found is None:
            return
        chat_id, user_id, language, hub = found
        if not context.args:
            await self._send(chat_id, self._word("telegram.join_usage", language))
        elif hub.joined(user_id):
            await self._send(chat_id, self._word("telegram.already_joined", language))
        else:
            outcome = await hub.join(user_id, "".join(context.args))
            if outcome is JoinOutcome.WRONG:
                await self._send(chat_id, self._word("telegram.join_wrong", language))
            elif outcome is JoinOutcome.LIMITED:
                await self._send(chat_id, self._word("telegram.join_limited", language))

    async def _leave(self, update: Update, context: Context) -> None:
        found = await self._operator(update)
        if found is None:
            return
        chat_id, user_id, language, hub = found
        left = await hub.leave(user_id)
        await self._send(
            chat_id, self._word("telegram.left" if left else "telegram.not_joined", language)
        )

    async def _say(self, update: Update, context: Context) -> None:
        found = await self._operator(update)
        if found is not None:
            await self._relay_text(found, " ".join(context.args or ()))

    async def _relay_text(self, found: tuple[int, int, str, RelayHub], text: str) -> None:
        chat_id, user_id, language, hub = found
        said = await hub.say(user_id, text)
        await self._send(
            chat_id, self._word("telegram.delivered" if said else "telegram.not_joined", language)
        )

    async def _suggest(self, update: Update, context: Context) -> None:
        found = await self._operator(update)
        if found is None:
            return
        chat_id, user_id, language, hub = found
        if not context.args:
            await self._send(chat_id, self._word("telegram.suggest_usage", language))
            return
        suggested = await hub.suggest(user_id, context.args[0])
        await self._send(
            chat_id,
            self._word("telegram.suggested" if suggested else "telegram.not_joined", language),
        )

    # -- everyone: guidance flows ----------------------------------------------------------
    async def _start(self, update: Update, context: Context) -> None:
        admitted = self._admit(update)
        if admitted is not None:
            self.store.forget_chat(admitted[0])
            await self._guide(admitted, None)

    async def _text(self, update: Update, context: Context) -> None:
        admitted = self._admit(update)
        if admitted is None or update.effective_message is None:
            return
        chat_id, user_id, language = admitted
        text = update.effective_message.text or ""
        with replies.handling(text):  # the server's log masks it meanwhile (ReplyScrubber)
            if self.hub is not None and self.hub.joined(user_id):
                await self._relay_text((chat_id, user_id, language, self.hub), text)
                return
            await self._guide(admitted, text)

    async def _guide(self, admitted: tuple[int, int, str], text: str | None) -> None:
        chat_id, _, language = admitted
        session = self._saved_session(chat_id)
        if session is None:
            session = self._new_session(language)
            outputs = session.start()
        else:
            outputs = session.handle(text or "")
        if session.ended:
            self.store.forget_chat(chat_id)
        else:
            self.store.save_chat(chat_id, json.dumps(session.to_state()))
        await self._send(chat_id, self._render(outputs, session.language))

    def _new_session(self, language: str) -> Session:
        return Session(
            self.flows,
            self._registry,
            ROOT_FLOW,
            language=language,
            channel=CHANNEL,
            translator=self.translate,
        )

    def _saved_session(self, chat_id: int) -> Session | None:
        saved = self.store.load_chat(chat_id)
        if saved is None:
            return None
        try:
            session = Session.from_state(
                json.loads(saved), self.flows, self._registry, translator=self.translate
            )
        except (ValueError, KeyError):
            return None  # saved against flows that changed since: start afresh
        return None if session.ended else session

    def _render(self, outputs: list[Output], language: str) -> str:
        parts: list[str] = []
        for output in outputs:
            if output.hands_off(Handoff.OPERATOR):
                parts.append(self._word("telegram.handoff", language))  # no operator here
                continue
            lines = [output.text] if output.text else []
            lines += [f"{n}. {c.text}" for n, c in enumerate(output.choices, start=1)]
            parts.append("\n".join(lines))
            if output.hands_off(Handoff.LOCAL):
                parts.append(self._word("telegram.handoff", language))
        return "\n\n".join(p for p in parts if p)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Telegram-sized parts, cut at line breaks where possible, so a list item is never
    split across two messages (a single line longer than `limit` is cut where it must)."""
    parts: list[str] = []
    current = ""
    for whole in text.split("\n"):
        line = whole
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            candidate = line
        current = candidate
    if current:
        parts.append(current)
    return parts


def _seconds(error: RetryAfter) -> float:
    """How long flood control asks us to wait (an int today, a timedelta in PTB 23)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


def run_polling_errors(error: TelegramError) -> None:
    """Updater error callback: PTB retries with backoff; we only note the kind."""
    log.warning("Telegram polling error: %s", type(error).__name__)

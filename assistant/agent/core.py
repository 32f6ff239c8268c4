"""The local agent: loads and lints the flows, owns the card service and the session store.

Front ends ask it for a `Conversation`; it resumes the person's unfinished one when
there is one, so closing the terminal (or the process being killed) loses nothing.
Flows are checked against the real action registry at start: a broken flow file stops
the agent with the author-facing problem list instead of failing mid-conversation.

Each saved conversation has one driver: when the one a front end would resume is open
in another front end of this agent, the new one is asked whether to take it over
(`TakeoverOffer`); one held by another process (a second in-process terminal) is left
alone. Every session is built with the card's token serial as the subject of the
consents its confirm steps give.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import Any

from assistant.agent.actions import build_registry
from assistant.agent.conversation import Attached, Conversation
from assistant.agent.takeover import TakeoverOffer
from assistant.card.service import CardService
from assistant.flow.lint import lint
from assistant.flow.loader import load_all
from assistant.flow.model import Problem
from assistant.flow.outputs import Output, Push, Translator
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from assistant.i18n.catalog import entries as catalog_entries
from assistant.i18n.catalog import translate as catalog_translate
from assistant.i18n.language import SUPPORTED
from assistant.resources import flow_files

ROOT_FLOW = "main"
WARM_UP_JOIN_SECONDS = 10.0


class FlowProblemsError(RuntimeError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Agent:
    def __init__(
        self,
        *,
        card: CardService | None = None,
        store: SessionStore | None = None,
        flows_path: Path | None = None,
        translator: Translator | None = None,
        root: str = ROOT_FLOW,
    ) -> None:
        self.card = card or CardService()
        self.registry = build_registry(self.card)
        flows, problems = load_all([flows_path] if flows_path else flow_files())
        problems += lint(flows, self.registry)  # a missing translation falls back to Turkish
        if problems:
            raise FlowProblemsError(problems)
        self.flows = flows
        self.store = store or SessionStore()
        self.translator = translator or _translate
        self.root = root
        self._live: list[Conversation] = []  # conversations some front end drives now
        self._live_lock = threading.Lock()
        self._warming: threading.Thread | None = None

    def start(self) -> None:
        """Watch the card, and warm up in the background what the first question does not
        need: the PKCS#11 module and token (OpenSC takes longer to load than the person
        takes to read the menu) and the translation catalogs."""
        self.card.start()
        self._warming = threading.Thread(target=self._warm, name="agent-warm", daemon=True)
        self._warming.start()

    def _warm(self) -> None:
        for language in SUPPORTED:
            catalog_entries(language)
        self.card.token()  # None without a card: nothing to warm; opened again on insert

    def stop(self) -> None:
        if self._warming is not None:
            # Not under a running open (C_Initialize, C_OpenSession), but a card that
            # hangs must not keep the person from quitting: the thread is a daemon.
            self._warming.join(WARM_UP_JOIN_SECONDS)
        self.card.stop()
        self.store.close()

    def doctor(self) -> dict[str, Any]:
        """`nes-asistan doctor`'s findings from this agent's card service, encoded for
        the socket: the module stays loaded and the token open, so no second load."""
        from assistant.doctor.checks import Doctor
        from assistant.doctor.remote import encode_run

        return encode_run(Doctor(card=self.card).run())

    def conversation(
        self, channel: str, push: Push, language: str = "tr"
    ) -> tuple[Attached, list[Output]]:
        """The person's unfinished conversation if any, else a new one; and what to show.

        If that unfinished conversation is open in another front end, the person is asked
        first whether to take it over or to start a new one.
        """
        for session_id in self.store.open_sessions():
            with self._live_lock:
                holder = next((c for c in self._live if c.session.id == session_id), None)
            if holder is not None:
                if holder.session.channel == channel and holder.session.root == self.root:
                    offer = TakeoverOffer(self, holder, channel, push, language)
                    return offer, offer.start()
                continue
            saved = self._resumable(session_id, channel)
            if saved is not None:
                return self._open(saved, channel, push, language, resumed=True)
        return self.fresh_conversation(channel, push, language)

    def fresh_conversation(
        self, channel: str, push: Push, language: str
    ) -> tuple[Conversation, list[Output]]:
        return self._open(self._fresh(channel, language), channel, push, language, resumed=False)

    def take_over(self, holder: Conversation, push: Push) -> tuple[Conversation, list[Output]]:
        """Move `holder`'s session to the front end behind `push` (holder is told)."""
        with self._live_lock:
            live = holder in self._live
            if live:
                self._live.remove(holder)
        if not live:  # the other window closed meanwhile: resume from the store
            return self._open_saved_or_fresh(holder.session.channel, push, holder.language)
        session = holder.hand_over()
        return self._open(session, session.channel, push, session.language, resumed=True)

    def _open_saved_or_fresh(
        self, channel: str, push: Push, language: str
    ) -> tuple[Conversation, list[Output]]:
        for session_id in self.store.open_sessions():
            saved = self._resumable(session_id, channel)
            if saved is not None:
                return self._open(saved, channel, push, language, resumed=True)
        return self.fresh_conversation(channel, push, language)

    def _open(
        self, session: Session, channel: str, push: Push, language: str, *, resumed: bool
    ) -> tuple[Conversation, list[Output]]:
        conversation = Conversation(
            session,
            self.store,
            self.card,
            push,
            lambda: self._fresh(channel, language),
            on_close=self._closed,
        )
        with self._live_lock:
            self._live.append(conversation)
        return conversation, conversation.start(resumed=resumed)

    def _closed(self, conversation: Conversation) -> None:
        with self._live_lock:
            if conversation in self._live:
                self._live.remove(conversation)
        self.store.release(conversation.session.id)

    def _fresh(self, channel: str, language: str) -> Session:
        session = Session(
            self.flows,
            self.registry,
            self.root,
            language=language,
            channel=channel,
            translator=self.translator,
            card_serial=self._card_serial,
        )
        self.store.claim(session.id)
        return session

    def _resumable(self, session_id: str, channel: str) -> Session | None:
        """The saved session, if it is this channel's and no other process drives it."""
        if not self.store.claim(session_id):
            return None
        try:
            session = self.store.load(
                session_id,
                self.flows,
                self.registry,
                translator=self.translator,
                card_serial=self._card_serial,
            )
        except (ValueError, KeyError):
            session = None  # saved against flows that changed since: start afresh
        if session is not None and session.channel == channel and session.root == self.root:
            return session
        self.store.release(session_id)
        return None

    def _card_serial(self) -> str | None:
        """The token serial of the card in the reader, for binding a consent to it."""
        opened = self.card.token()
        return opened.unwrap().serial if opened is not None and opened.ok else None


def _translate(message_id: str, source: str, language: str) -> str:
    """Catalog lookup, loading a language's catalog when first asked for (the warm-up
    loads them all meanwhile); an unknown language gets the Turkish source."""
    return catalog_translate(message_id, source, language) if language in SUPPORTED else source


def load_agent() -> Agent | None:
    """The agent, or None after saying on stderr which flow files are broken and where."""
    try:
        return Agent()
    except FlowProblemsError as error:
        print("Akış dosyalarında sorun var / flow files have problems:", file=sys.stderr)
        print(error, file=sys.stderr)
        return None

"""One person's conversation as the agent runs it: a flow session plus the card around it.

The flow session knows nothing of readers; this is where card events meet it. Events a
step waits for (`events: card_inserted: …`) are passed on. A card pulled out while the
conversation is in a flow that works with the card (one with a `card.*` action), however
and whenever that card was inserted, pauses it: replies get a "waiting for the card"
notice (repair words such as 'iptal' still work), and the same card coming back resumes
at the same question, while a different card restarts from the beginning so nothing
meant for the first card is done to the second. The smart-card service stopping pauses it
the same way, said as such (the card was never pulled), and its return resumes it. Every
turn is saved, so a restart of the process continues where the person was — without any
secret, which the session asks for again.

The reply text goes to the session as typed: the engine interprets it, once, knowing
what the current step asks. Only text that cannot be read at all (a lone surrogate, a NUL)
is kept from the helpdesk link, which would otherwise try to send it; the engine answers
it with a translated message. While a turn runs its reply is marked in flight, so a log
line about a failure is scrubbed of it.

One saved conversation is driven by one front end at a time: another front end of the
same agent may take it over (`hand_over()`), and this one is then told so, in its own
language, and stops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from assistant.agent.texts import AGENT_TEXTS
from assistant.card.monitor import (
    CardEvent,
    CardInserted,
    CardMute,
    CardRemoved,
    PcscRestored,
    PcscUnavailable,
    ReaderAdded,
)
from assistant.card.service import CardService
from assistant.flow import replies
from assistant.flow.model import ActionStep, Flow, PromptStep
from assistant.flow.outputs import Event, Handoff, Output, OutputKind, Push
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from assistant.flow.vocabulary import repair_of
from assistant.i18n.messages import text

if TYPE_CHECKING:
    from assistant.helpdesk.agent_link import SupportLink

_log = logging.getLogger(__name__)


class Attached(Protocol):
    """What a front end holds: a conversation in this process or in the agent."""

    @property
    def language(self) -> str: ...

    def reply(self, text: str) -> list[Output]: ...

    def close(self) -> None: ...


Opener = Callable[[str, Push, str], tuple[Attached, list[Output]]]
"""(channel, push, language) -> the conversation and its first outputs."""

PROMPT_OUTPUTS = frozenset(
    {
        OutputKind.QUESTION,
        OutputKind.CHOICE,
        OutputKind.SECRET_REQUEST,
        OutputKind.CONFIRM_REQUEST,
        OutputKind.LANGUAGE_REQUEST,
    }
)
"""Outputs that wait for the person's answer; a channel reads input after one of these."""

_EVENT_NAMES: dict[type, str] = {
    CardInserted: "card_inserted",
    CardRemoved: "card_removed",
    CardMute: "card_mute",
    ReaderAdded: "reader_added",
}


class Conversation:
    def __init__(
        self,
        session: Session,
        store: SessionStore,
        card: CardService,
        push: Push,
        new_session: Callable[[], Session],
        *,
        on_close: Callable[[Conversation], None] = lambda _: None,
    ) -> None:
        self.session = session
        self._store = store
        self._card = card
        self._push = push
        self._new_session = new_session
        self._on_close = on_close
        self._lock = threading.RLock()
        self._paused_for: str | None = None  # "card", "service", "service_back"
        self._paused_on: bytes | None = None  # ATR of the card we wait for
        self._paused_serial: str | None = None  # its token serial, when it was read
        self._atr: bytes | None = None
        self._reader: str | None = None
        self._support: SupportLink | None = None
        self._moved = False  # another front end took the conversation over
        self._unsubscribe = card.subscribe(self._on_card_event)

    @property
    def language(self) -> str:
        """The conversation's language now ('dil' may have changed it)."""
        return self.session.language

    @property
    def paused(self) -> bool:
        return self._paused_for is not None

    def start(self, resumed: bool = False) -> list[Output]:
        with self._lock:
            picture_card = self._card.picture().card
            self._atr = picture_card.atr if picture_card else None
            self._reader = picture_card.reader if picture_card else None
            if resumed:
                return self._saved([self._text("agent.resumed"), *self._ask_again()])
            return self._saved(self.session.start())

    def _ask_again(self) -> list[Output]:
        """The current question once more, kept in the transcript only when it differs
        from how it was last asked (another language, say): a terminal started, or a card
        pulled and put back, a thousand times on the same question must not make the
        saved conversation — and the agent loading it — a thousand entries longer."""
        transcript = self.session.transcript
        before = len(transcript)
        outputs = self.session.resume()
        asked = transcript[before:]
        if asked and transcript[before - len(asked) : before] == asked:
            del transcript[before:]
        return outputs

    def reply(self, text: str) -> list[Output]:
        """The person's reply, as typed; the session decides what it is.

        A bug below (an action breaking its contract, a module crashing) is logged with its
        traceback, scrubbed of the reply, and answered with a calm message; the saved state
        is from before the turn, so the person can simply try again.
        """
        with self._lock, replies.handling(text):
            if self._moved:
                return [self._moved_notice()]
            support = self._support
            readable = replies.problem(text) is None
            if readable and support is not None and support.active:
                return support.reply(_Here(self), text)  # the helpdesk sees it, redacted
            return self.reply_here(text)

    def reply_here(self, text: str) -> list[Output]:
        """The reply answered by this conversation itself, past any helpdesk session (what
        the helpdesk link hands back once it has shown the operator the redacted reply)."""
        if self.paused and repair_of(text) is None:
            return [self._waiting()]
        try:
            outputs = self._saved(self.session.handle(text))
        except Exception:
            _log.exception("turn failed at %s", self.session.position)
            return [self._text("agent.unexpected")]
        if any(o.hands_off(Handoff.OPERATOR) for o in outputs):
            outputs += self._open_support()
        return outputs

    def _open_support(self) -> list[Output]:
        """'operatör': open a session with the organisation's helpdesk, if it has one.

        The pairing code arrives through `push` (the link shows it); the operator's words
        arrive the same way, marked `helpdesk.*`. Nothing from there can answer a question.
        """
        from assistant.helpdesk.agent_link import (
            HelpdeskSettings,
            HelpdeskUnavailableError,
            SupportLink,
        )
        from assistant.helpdesk.texts import HELPDESK_TEXTS

        if self._support is not None and self._support.active:
            return []
        settings = HelpdeskSettings.load()
        if settings is None:
            return [self._text("helpdesk.not_configured", HELPDESK_TEXTS)]
        link = SupportLink(
            self._push,
            language=self.session.language,
            translator=self.session.translator,
            flows=self.session.flows,
            ssl_context=settings.ssl_context(),
        )
        try:
            link.open_support(settings.url, settings.token, self.session.transcript)
        except HelpdeskUnavailableError:
            return [self._text("helpdesk.unavailable", HELPDESK_TEXTS)]
        self._support = link
        return []

    def close(self) -> None:
        self._unsubscribe()
        with self._lock:
            if self._moved:
                return  # the session lives on in the front end that took it over
            if self._support is not None and self._support.active:
                self._support.end()
            self.session.close()
        self._on_close(self)

    def hand_over(self) -> Session:
        """Another front end takes this conversation over: this one is told (in its
        language) and stops; the session, saved and unclosed, goes to the other."""
        self._unsubscribe()
        with self._lock:
            self._moved = True
            if self._support is not None and self._support.active:
                self._support.end()  # the operator is told; the new window may ask again
            notice = self._moved_notice()
            session = self.session
        self._push([notice])
        return session

    def _moved_notice(self) -> Output:
        shown = self._text("agent.taken_over")
        return Output(OutputKind.END, shown.message_id, shown.text, outcome="moved")

    # -- card events (monitor thread) -------------------------------------------------
    def _on_card_event(self, event: CardEvent) -> None:
        with self._lock:
            outputs = self._card_event(event)
            support = self._support
        if outputs:
            if support is not None and support.active:
                support.forward(outputs)
            self._push(outputs)

    def _card_event(self, event: CardEvent) -> list[Output]:
        if self.session.ended:
            return []
        if isinstance(event, PcscUnavailable):
            return self._pause("service") if self._should_pause() else []
        if isinstance(event, PcscRestored):
            if self._paused_for == "service":
                self._paused_for = "service_back"  # now waiting for the card to show again
            return []
        if isinstance(event, CardRemoved) and self._should_pause():
            return self._pause("card")
        if isinstance(event, CardInserted):
            self._atr, self._reader = event.atr, event.reader
            if self.paused:
                return self._card_back(event)
        name = _EVENT_NAMES.get(type(event))
        if name is None or self.paused:
            return []
        return self._saved(self.session.handle(Event(name)))

    def _should_pause(self) -> bool:
        """In a flow that works with the card, and not at a step that is itself waiting
        for a card (there the insertion simply moves the conversation on)."""
        if self.paused or not self._with_card():
            return False
        step = self.session.flow.step(self.session.step_id)
        waits = isinstance(step, PromptStep) and any(
            b.outcome == "card_inserted" for b in step.events
        )
        return not waits

    def _with_card(self) -> bool:
        """Whether any flow on the session's stack reads or writes the card."""
        return any(_uses_card(self.session.flows[f.flow]) for f in self.session.frames)

    def _pause(self, reason: str) -> list[Output]:
        self._paused_for = reason
        self._paused_on = self._atr
        self._paused_serial = self._card.last_serial(self._reader) if self._reader else None
        self._atr = None
        notice = "agent.card_removed" if reason == "card" else "agent.service_down"
        return [self._text(notice)]

    def _card_back(self, event: CardInserted) -> list[Output]:
        """The same card (ATR, and token serial where both are known) resumes; any other
        card starts afresh. A token that cannot be read now does not make it another card:
        the next card operation will say what is wrong with it."""
        reason = self._paused_for
        same_atr = self._paused_on is None or event.atr == self._paused_on
        known = self._paused_serial
        self._paused_for = self._paused_on = self._paused_serial = None
        opened = self._card.token()
        now = opened.unwrap().serial if opened is not None and opened.ok else None
        if same_atr and (known is None or now is None or now == known):
            notice = "agent.card_back" if reason == "card" else "agent.service_back"
            return self._saved([self._text(notice), *self._ask_again()])
        self.session.close()
        self.session = self._new_session()
        return self._saved([self._text("agent.other_card"), *self.session.start()])

    def _waiting(self) -> Output:
        """What a reply gets while paused: which of the card or the service is awaited."""
        return self._text(
            "agent.waiting_for_service"
            if self._paused_for == "service"
            else "agent.waiting_for_card"
        )

    # -- helpers -------------------------------------------------------------------------
    def _text(self, message_id: str, texts: Mapping[str, str] = AGENT_TEXTS) -> Output:
        source = texts[message_id]
        language, translate = self.session.language, self.session.translator
        return Output(
            OutputKind.TEXT, message_id, text(message_id, source, language, None, translate)
        )

    def _saved(self, outputs: list[Output]) -> list[Output]:
        self._store.save(self.session)
        return outputs


def _uses_card(flow: Flow) -> bool:
    return any(isinstance(s, ActionStep) and s.action.startswith("card.") for s in flow.steps)


class _Here:
    """This conversation as the helpdesk link drives it: its session and a local reply."""

    def __init__(self, conversation: Conversation) -> None:
        self._conversation = conversation

    @property
    def session(self) -> Session:
        return self._conversation.session

    def reply(self, text: str) -> list[Output]:
        return self._conversation.reply_here(text)

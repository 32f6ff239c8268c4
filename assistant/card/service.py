"""The agent's one view of the card side: readers, the card in them, and its token.

The card monitor reports what PC/SC sees; this keeps the latest picture so an action can
ask "is there a reader, a card, which one?" without a PC/SC round trip, and keeps one
`TokenSession` per inserted card so the PKCS#11 module is loaded once, not per question.
A removal or a new insertion drops that token: the next question reopens it, so nothing
ever talks to a card that is no longer the one in the reader. Every token it opens reports
its PIN operations to `notes`, the agent's memory of a PIN that may have changed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assistant.card.certificates import CardCertificate
from assistant.card.discovery import ModuleSearch, find_module
from assistant.card.monitor import (
    CardEvent,
    CardInserted,
    CardMonitor,
    CardMute,
    CardRemoved,
    PcscRestored,
    PcscUnavailable,
    ReaderAdded,
    ReaderRemoved,
)
from assistant.card.notes import CardNotes
from assistant.card.outcomes import Outcome, OutcomeKind
from assistant.card.profiles import CardProfile, ProfileMatch, ProfileSet
from assistant.card.token import TokenSession, open_token

Listener = Callable[[CardEvent], None]


@dataclass(frozen=True)
class CardPresence:
    reader: str
    atr: bytes
    mute: bool


@dataclass(frozen=True)
class CardPicture:
    """What is plugged in right now, as last reported by the monitor."""

    service_up: bool
    readers: tuple[str, ...]
    cards: tuple[CardPresence, ...] = field(default=())
    pcsc_error: int = 0
    """While the service is down: the PC/SC error code it answered (the doctor names it)."""

    @property
    def card(self) -> CardPresence | None:
        """The card to work with: the first answering one, else a mute one."""
        answering = [c for c in self.cards if not c.mute]
        candidates = answering or list(self.cards)
        return candidates[0] if candidates else None


class CardService:
    def __init__(
        self,
        profiles: ProfileSet | None = None,
        *,
        configured_module: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] | None = None,
        notes: CardNotes | None = None,
    ) -> None:
        self._profiles = profiles
        self.notes = notes or CardNotes()
        self._configured_module = configured_module
        self._environ = environ
        self._lock = threading.Lock()
        self._opening = threading.Lock()
        """One token open at a time: the agent's warm-up and a first action must not both
        load the module and open the same token."""
        self._service_up = True
        self._pcsc_error = 0
        self._readers: list[str] = []
        self._cards: dict[str, CardPresence] = {}
        self._token: TokenSession | None = None
        self._certificates: tuple[CardCertificate, ...] | None = None
        self._token_reader: str | None = None
        self._serials: dict[str, str] = {}
        """Reader → serial of the token last opened there; kept after the card left."""
        self._listeners: list[Listener] = []
        self._monitor = CardMonitor(self._on_event)

    # -- life cycle ----------------------------------------------------------------------
    def start(self, wait: float = 5.0) -> bool:
        """Start watching PC/SC; True once the first picture arrived."""
        return self._monitor.start(wait)

    def stop(self) -> None:
        self._monitor.stop()
        with self._lock:
            self._token = None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` for every card event (from the monitor thread); returns unsubscribe."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    # -- questions -----------------------------------------------------------------------
    @property
    def profiles(self) -> ProfileSet:
        """The card profiles, read when a card first needs recognising, not before the
        first question (the agent's warm-up asks soon after start)."""
        with self._lock:
            if self._profiles is None:
                self._profiles = ProfileSet.load()
            return self._profiles

    def picture(self) -> CardPicture:
        with self._lock:
            cards = tuple(self._cards.values())
            return CardPicture(self._service_up, tuple(self._readers), cards, self._pcsc_error)

    def recognise(self, card: CardPresence) -> ProfileMatch:
        return self.profiles.match(card.atr)

    def find_module(self, profile: CardProfile) -> ModuleSearch:
        """Where this agent would load the profile's module from (or why it cannot)."""
        return find_module(profile, configured=self._configured_module, environ=self._environ)

    def token(self) -> Outcome[TokenSession] | None:
        """The token of the card in the reader (opened once per insertion); None: no card."""
        with self._opening:
            return self._open_token()

    def _open_token(self) -> Outcome[TokenSession] | None:
        card = self.picture().card
        if card is None or card.mute:
            return None
        with self._lock:
            if self._token is not None and self._token_reader == card.reader:
                return Outcome(OutcomeKind.OK, self._token)
        opened = open_token(
            self.recognise(card).profile,
            reader=card.reader,
            configured_module=self._configured_module,
            environ=self._environ,
            observer=self.notes,
        )
        if opened.ok:
            with self._lock:
                if self._cards.get(card.reader) == card:  # still the same card
                    self._token, self._token_reader = opened.unwrap(), card.reader
                    self._serials[card.reader] = opened.unwrap().serial
        return opened

    def last_serial(self, reader: str) -> str | None:
        """The token serial of the card last read in `reader`, also once it was pulled:
        whether the card put back is the same one."""
        with self._lock:
            return self._serials.get(reader)

    def certificates(self) -> Outcome[tuple[CardCertificate, ...]] | None:
        """The card's certificates, read once per insertion: a certificate check, a
        revocation check and Kilit Çözme in one conversation ask for them in turn, and
        they cannot change while the card stays in the reader. None: no card."""
        opened = self.token()
        if opened is None:
            return None
        if not opened.ok:
            return Outcome(opened.kind, error=opened.error)
        token = opened.unwrap()
        with self._lock:
            if self._certificates is not None and self._token is token:
                return Outcome(OutcomeKind.OK, self._certificates)
        listed = token.certificates()
        if listed.ok:
            with self._lock:
                if self._token is token:
                    self._certificates = listed.unwrap()
        return listed

    # -- monitor thread ------------------------------------------------------------------
    def _on_event(self, event: CardEvent) -> None:
        with self._lock:
            self._apply(event)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)

    def _apply(self, event: CardEvent) -> None:
        match event:
            case ReaderAdded(reader=reader):
                if reader not in self._readers:
                    self._readers.append(reader)
            case ReaderRemoved(reader=reader):
                self._readers = [r for r in self._readers if r != reader]
                self._forget(reader)
            case CardInserted(reader=reader, atr=atr):
                self._forget(reader)
                self._cards[reader] = CardPresence(reader, atr, mute=False)
            case CardMute(reader=reader):
                self._forget(reader)
                self._cards[reader] = CardPresence(reader, b"", mute=True)
            case CardRemoved(reader=reader):
                self._forget(reader)
            case PcscUnavailable(error=error):
                self._service_up, self._pcsc_error = False, error
                self._readers, self._cards, self._token = [], {}, None
                self._certificates = None
            case PcscRestored():
                self._service_up, self._pcsc_error = True, 0

    def _forget(self, reader: str) -> None:
        self._cards.pop(reader, None)
        if self._token_reader == reader:
            self._token, self._token_reader, self._certificates = None, None, None

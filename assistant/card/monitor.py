"""Reader and card events from PC/SC, delivered as typed dataclasses.

The monitor blocks in SCardGetStatusChange on every reader plus pcsc-lite's
"\\\\?PnP?\\Notification" pseudo-reader, so an insertion, a removal, a reader being
plugged or unplugged, or a mute chip (pushed in the wrong way round) wakes it at once;
nothing polls. A long timeout re-lists the readers as a safety net for PC/SC stacks
without PnP notification. `stop()` uses SCardCancel to end the blocking wait.

Events carry no wording and no secrets: the conversation layer decides what to say.
`observed_at` (time.monotonic) lets a benchmark measure insert-to-event latency.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PNP_READER = "\\\\?PnP?\\Notification"
SAFETY_TIMEOUT_MS = 5000
"""Longest blocking wait before the reader list is read again without a PnP signal."""
RECONNECT_SECONDS = 1.0

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderAdded:
    reader: str
    initial: bool
    """True for readers already there when the monitor started."""
    observed_at: float


@dataclass(frozen=True)
class ReaderRemoved:
    reader: str
    observed_at: float


@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: bytes
    initial: bool
    """True for a card already in the reader when the monitor started."""
    observed_at: float


@dataclass(frozen=True)
class CardRemoved:
    reader: str
    observed_at: float


@dataclass(frozen=True)
class CardMute:
    """A card is in the reader but does not answer (no ATR): often inserted wrongly."""

    reader: str
    initial: bool
    observed_at: float


@dataclass(frozen=True)
class PcscUnavailable:
    """The PC/SC service (pcscd, the Windows smart card service) cannot be reached.

    Stands for every reader and card at once: no removal events precede it."""

    error: int
    observed_at: float


@dataclass(frozen=True)
class PcscRestored:
    observed_at: float


CardEvent = (
    ReaderAdded
    | ReaderRemoved
    | CardInserted
    | CardRemoved
    | CardMute
    | PcscUnavailable
    | PcscRestored
)


@dataclass(frozen=True)
class _Slot:
    """What the monitor last told the listener about one reader."""

    present: bool
    mute: bool
    atr: bytes
    counter: int | None


_EMPTY = _Slot(present=False, mute=False, atr=b"", counter=None)


class CardMonitor:
    """Runs in its own thread; `callback` is called from that thread, one event at a time.

    Pass `queue.put` as the callback to hand events to another thread or an event loop.
    """

    def __init__(self, callback: Callable[[CardEvent], None]) -> None:
        self._callback = callback
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._context: Any = None
        self._thread: threading.Thread | None = None
        self._slots: dict[str, _Slot] = {}
        self._states: dict[str, int] = {}
        self._service_down = False

    def start(self, wait: float = 5.0) -> bool:
        """Start watching; True once the first picture (readers, cards) was delivered."""
        if self._thread is not None:
            raise RuntimeError("monitor already started")
        self._thread = threading.Thread(target=self._run, name="card-monitor", daemon=True)
        self._thread.start()
        return self._ready.wait(wait)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel the blocking wait and join the thread."""
        from smartcard import scard

        self._stop.set()
        thread = self._thread
        deadline = time.monotonic() + timeout
        while thread is not None and thread.is_alive() and time.monotonic() < deadline:
            with self._lock:
                if self._context is not None:
                    scard.SCardCancel(self._context)
            thread.join(0.05)

    def __enter__(self) -> CardMonitor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def readers(self) -> tuple[str, ...]:
        return tuple(self._slots)

    def _emit(self, event: CardEvent) -> None:
        try:
            self._callback(event)
        except Exception:
            # A listener bug must not end card monitoring for the whole agent.
            _log.exception("card event listener failed on %s", type(event).__name__)

    def _run(self) -> None:
        from smartcard import scard

        while not self._stop.is_set():
            rc, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if rc != scard.SCARD_S_SUCCESS:
                self._service_lost(rc)
                self._stop.wait(RECONNECT_SECONDS)
                continue
            with self._lock:
                self._context = context
            try:
                if self._service_down:
                    self._service_down = False
                    self._emit(PcscRestored(time.monotonic()))
                self._watch(scard, context)
            finally:
                with self._lock:
                    self._context = None
                scard.SCardReleaseContext(context)
            if not self._stop.is_set():
                self._stop.wait(RECONNECT_SECONDS)

    def _service_lost(self, rc: int) -> None:
        """The service went away: one PcscUnavailable, and no removal per reader or card.

        The cards did not leave their readers; only nobody can see them now. Reporting
        them removed would tell a person they pulled a card they never touched. Once the
        service is back, the re-listing announces what is there again.
        """
        if not self._service_down:
            self._service_down = True
            self._slots.clear()
            self._states.clear()
            self._emit(PcscUnavailable(rc, time.monotonic()))
        self._ready.set()

    def _watch(self, scard: Any, context: Any) -> None:
        """Block on status changes until stopped or the service goes away."""
        service_gone = {
            scard.SCARD_E_NO_SERVICE,
            scard.SCARD_E_SERVICE_STOPPED,
            scard.SCARD_E_INVALID_HANDLE,
        }
        if not self._relist(scard, context, initial=not self._ready.is_set()):
            self._service_lost(scard.SCARD_E_NO_SERVICE)
            return
        pnp_state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            query = [(reader, state) for reader, state in self._states.items()]
            query.append((PNP_READER, pnp_state))
            rc, answers = scard.SCardGetStatusChange(context, SAFETY_TIMEOUT_MS, query)
            if self._stop.is_set() or rc == scard.SCARD_E_CANCELLED:
                return
            if rc in service_gone:
                self._service_lost(rc)
                return
            relist = rc != scard.SCARD_S_SUCCESS  # timeout, unknown reader, ...
            for reader, event, atr in answers if rc == scard.SCARD_S_SUCCESS else ():
                if reader == PNP_READER:
                    pnp_state = event & ~scard.SCARD_STATE_CHANGED
                    relist = relist or bool(event & scard.SCARD_STATE_CHANGED)
                elif event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_IGNORE):
                    relist = True
                elif reader in self._states:
                    self._states[reader] = event & ~scard.SCARD_STATE_CHANGED
                    self._update(scard, reader, event, bytes(atr))
            self._ready.set()
            if relist and not self._relist(scard, context, initial=False):
                self._service_lost(scard.SCARD_E_NO_SERVICE)
                return

    def _relist(self, scard: Any, context: Any, *, initial: bool) -> bool:
        rc, names = scard.SCardListReaders(context, [])
        if rc == scard.SCARD_E_NO_READERS_AVAILABLE:
            names = []
        elif rc != scard.SCARD_S_SUCCESS:
            return False
        current = [str(name) for name in names]
        for reader in [r for r in self._slots if r not in current]:
            self._forget(reader)
        for reader in current:
            if reader not in self._slots:
                self._slots[reader] = _EMPTY
                self._states[reader] = scard.SCARD_STATE_UNAWARE
                self._emit(ReaderAdded(reader, initial, time.monotonic()))
        return True

    def _forget(self, reader: str) -> None:
        slot = self._slots.pop(reader)
        self._states.pop(reader, None)
        now = time.monotonic()
        if slot.present:
            self._emit(CardRemoved(reader, now))
        self._emit(ReaderRemoved(reader, now))

    def _update(self, scard: Any, reader: str, event: int, atr: bytes) -> None:
        old = self._slots[reader]
        present = bool(event & scard.SCARD_STATE_PRESENT)
        mute = present and bool(event & scard.SCARD_STATE_MUTE)
        # pcsc-lite counts insertions and removals in the upper 16 bits of the state.
        counter = (event >> 16) & 0xFFFF
        new = _Slot(present, mute, atr if present and not mute else b"", counter)
        self._slots[reader] = new
        initial = not self._ready.is_set()
        now = time.monotonic()
        swapped = (
            old.present
            and new.present
            and old.counter is not None
            and (new.atr != old.atr or counter - old.counter >= 2)
        )
        if old.present and (not new.present or swapped or old.mute != new.mute):
            self._emit(CardRemoved(reader, now))
        elif old.present:
            return
        if not new.present:
            return
        if new.mute:
            self._emit(CardMute(reader, initial, now))
        else:
            self._emit(CardInserted(reader, new.atr, initial, now))

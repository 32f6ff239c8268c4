"""The card side of vsmartcard's vpcd: a TCP client that carries APDUs to a card model.

vpcd (the pcsc-lite driver) listens on a port per virtual reader; connecting is
"card inserted", closing the socket is "card removed". Frames both ways are a 2-byte
big-endian length then the payload; a 1-byte payload from vpcd is a control code
(power off/on, reset, "send your ATR"), anything longer is a command APDU. The link
serves in a background thread so a test can insert and pull the card at will.

Fault injection: `arm(Cut(...))` makes the link pull the card at one APDU boundary of
a chosen command (by INS and occurrence): before the card sees it (nothing happened),
after the card applied it but before its answer leaves (the card holds the new state
while the host only learns the card is gone), or on a part of a chained command
(CLA 0x10: the card never gets the rest). That is the moment a person pulls the card
during a PIN change, and the card layer has to tell those cases apart.
"""

from __future__ import annotations

import contextlib
import enum
import socket
import threading
import time
from dataclasses import dataclass
from typing import Protocol

CTRL_OFF = 0x00
CTRL_ON = 0x01
CTRL_RESET = 0x02
CTRL_ATR = 0x04
CLA_CHAINING = 0x10


class CutPoint(enum.StrEnum):
    BEFORE = "before"
    """The command arrives and the link closes: the card never processes it."""
    AFTER = "after"
    """The card processes the command (its state changes), then the link closes
    instead of sending the answer."""
    CHAINED = "chained"
    """A chained part (CLA 0x10) of the command arrives and the link closes: the card
    holds half a command, which the power loss discards."""


@dataclass(frozen=True)
class Cut:
    """Pull the card at the `occurrence`-th command with this INS (counted from arming).

    Only commands that carry data count (a VERIFY without data only reads the retry
    counter); for `CHAINED` only chained parts count, otherwise only final ones.
    """

    ins: int
    point: CutPoint
    occurrence: int = 1

    def matches(self, apdu: bytes) -> bool:
        if len(apdu) < 6 or apdu[1] != self.ins:  # header + Lc at least: it has data
            return False
        chained = bool(apdu[0] & CLA_CHAINING)
        return chained if self.point is CutPoint.CHAINED else not chained


class CardModel(Protocol):
    """What the link needs from a card: power events and one APDU in, one answer out."""

    def power_on(self) -> None: ...

    def process(self, raw: bytes) -> bytes: ...


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    buf = b""
    while len(buf) < size:
        try:
            chunk = sock.recv(size - len(buf))
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf


class VpcdLink:
    """One card in one vpcd reader slot, identified by host and TCP port."""

    def __init__(self, card: CardModel, atr: bytes, port: int, host: str = "127.0.0.1"):
        self.card = card
        self.atr = atr
        self.port = port
        self.host = host
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one APDU at a time, and never during removal
        self._cut: Cut | None = None
        self._seen = 0
        self.cut_done = threading.Event()
        """Set once an armed cut has pulled the card."""

    def arm(self, cut: Cut) -> None:
        """Pull the card at `cut`'s boundary; the card stays out until `insert()`."""
        with self._lock:
            self._cut, self._seen = cut, 0
            self.cut_done.clear()

    def disarm(self) -> None:
        with self._lock:
            self._cut = None

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def insert(self, timeout: float = 10.0) -> None:
        """Connect to vpcd, retrying while pcscd is still loading the driver."""
        if self._sock is not None:
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((self.host, self.port), timeout=1.0)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.card.power_on()
        self._sock = sock
        self._thread = threading.Thread(
            target=self._serve, args=(sock,), name=f"vpcd-card-{self.port}", daemon=True
        )
        self._thread.start()

    def remove(self) -> None:
        """Close the socket: vpcd reports the card gone; the card loses power (PIN status)."""
        sock, thread = self._sock, self._thread
        if sock is None:
            return
        self._sock = self._thread = None
        with self._lock:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
            self.card.power_on()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _serve(self, sock: socket.socket) -> None:
        while True:
            header = _recv_exact(sock, 2)
            if header is None:
                break
            payload = _recv_exact(sock, int.from_bytes(header, "big"))
            if payload is None:
                break
            with self._lock:
                if self._sock is not sock:
                    break
                cut = self._due(payload)
                if cut is not None and cut.point is CutPoint.BEFORE:
                    self._pull(sock)
                    break
                answer = self._handle(payload)
                if cut is not None:
                    self._pull(sock)
                    break
                if answer is not None:
                    try:
                        sock.sendall(len(answer).to_bytes(2, "big") + answer)
                    except OSError:
                        break
        if self._sock is sock:  # vpcd went away (pcscd stopped): the card is out
            self._sock = self._thread = None
            with contextlib.suppress(OSError):
                sock.close()

    def _due(self, payload: bytes) -> Cut | None:
        """The armed cut if this command is the one it waits for (it then fires once)."""
        cut = self._cut
        if cut is None or not cut.matches(payload):
            return None
        self._seen += 1
        if self._seen < cut.occurrence:
            return None
        self._cut = None
        return cut

    def _pull(self, sock: socket.socket) -> None:
        """The card leaves the reader with its state as it is now (caller holds the lock)."""
        self._sock = self._thread = None
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
        self.card.power_on()
        self.cut_done.set()

    def _handle(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            code = payload[0]
            if code == CTRL_ATR:
                return self.atr
            if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                self.card.power_on()  # every power event clears the security status
            return None
        return self.card.process(payload)

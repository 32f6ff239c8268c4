"""The card side of vsmartcard's vpcd: a TCP client that carries APDUs to a card model.

vpcd (the pcsc-lite driver) listens on a port per virtual reader; connecting is
"card inserted", closing the socket is "card removed". Frames both ways are a 2-byte
big-endian length then the payload; a 1-byte payload from vpcd is a control code
(power off/on, reset, "send your ATR"), anything longer is a command APDU. The link
serves in a background thread so a test can insert and pull the card at will.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Protocol

CTRL_OFF = 0x00
CTRL_ON = 0x01
CTRL_RESET = 0x02
CTRL_ATR = 0x04


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
                answer = self._handle(payload)
                if answer is not None:
                    try:
                        sock.sendall(len(answer).to_bytes(2, "big") + answer)
                    except OSError:
                        break
        if self._sock is sock:  # vpcd went away (pcscd stopped): the card is out
            self._sock = self._thread = None
            with contextlib.suppress(OSError):
                sock.close()

    def _handle(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            code = payload[0]
            if code == CTRL_ATR:
                return self.atr
            if code in (CTRL_OFF, CTRL_ON, CTRL_RESET):
                self.card.power_on()  # every power event clears the security status
            return None
        return self.card.process(payload)

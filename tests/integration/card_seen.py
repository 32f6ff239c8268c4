"""Put a virtual card in and wait until the assistant's own card service has seen it.

PC/SC reporting the card (what `VirtualCard.insert()` waits for) is not the end of the
story: the agent's monitor thread hears of it a moment later, and a reply sent in between
finds "no card". Tests wait for the agent's event instead, with a deadline.
"""

from __future__ import annotations

import threading

from assistant.card.monitor import CardEvent, CardInserted
from assistant.card.service import CardService
from assistant.demo.virtual_card import VirtualCard


def insert_seen_by(service: CardService, card: VirtualCard, timeout: float = 15.0) -> None:
    """Insert `card` and return once `service` has handled its CardInserted event."""
    seen = threading.Event()

    def listen(event: CardEvent) -> None:
        if isinstance(event, CardInserted) and event.reader == card.reader:
            seen.set()

    unsubscribe = service.subscribe(listen)
    try:
        card.insert()
        if not seen.wait(timeout):
            raise TimeoutError(f"the assistant never saw the card in {card.reader!r}")
    finally:
        unsubscribe()


def back_after_cut(service: CardService, card: VirtualCard) -> None:
    """After an armed cut pulled the card: wait for that, then put it back, seen."""
    card.wait_cut()
    insert_seen_by(service, card)

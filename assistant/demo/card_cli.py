"""Serve a virtual NES card to a vpcd reader until Ctrl-C (used by the demo).

    python -m assistant.demo.card_cli --state FILE [--atr piv|akis|tckk] [--key p384|rsa2048]
                             [--port 35963] [--pin 123456 --puk 12345678]

The state file is created on first use with keys and certificates from a TEST PKI
kept next to it (FILE.pki/, an `openssl ca` directory usable for OCSP); later runs
reuse it, so PIN changes and retry counters carry over between runs. Port 35963 is
the first reader ("Virtual PCD 00 00") of the system pcscd's stock vpcd config.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from assistant.demo.atrs import ATRS
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard, create_state

DEFAULT_PORT = 35963


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m assistant.demo.card_cli", description=__doc__)
    parser.add_argument("--state", type=Path, required=True, help="card state JSON file")
    parser.add_argument("--atr", choices=sorted(ATRS), default="piv")
    parser.add_argument("--key", choices=("p384", "rsa2048"), default="p384")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="vpcd TCP port")
    parser.add_argument("--pin", default="123456", help="PIN for a new card")
    parser.add_argument("--puk", default="12345678", help="PUK for a new card")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    state_path: Path = args.state
    if not state_path.exists():
        pki_dir = state_path.with_name(state_path.name + ".pki")
        pki_dir.mkdir(parents=True, exist_ok=True)
        create_state(TestPki(pki_dir), state_path, key_type=args.key, pin=args.pin, puk=args.puk)
        print(f"new card state in {state_path} (TEST PKI in {pki_dir})")
    card = VirtualCard(state_path, args.atr, args.port)
    card.insert(wait=False)
    subject = card.certificate.subject.rfc4514_string()
    print(f"card inserted on port {args.port} ({args.atr} ATR): {subject}; Ctrl-C to remove")
    stop = threading.Event()
    # Both set here: a process started in the background by a script inherits SIGINT
    # ignored, and Python then installs no KeyboardInterrupt for it, so Ctrl-C (or the
    # tests' SIGINT) would be lost.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            if not card.inserted:  # vpcd closed the link: pcscd stopped
                print("vpcd closed the connection")
                return 1
    finally:
        card.remove(wait=False)
    print("card removed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

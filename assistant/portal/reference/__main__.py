"""`python -m assistant.portal.reference --state FILE --port N`: serve the training portal.

Loopback only, on purpose: the portal hands out PINs and sealed unlock credentials to
whoever logs in, which is fine for a trainee on this machine and for nobody else.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from assistant.portal.reference import BANNER
from assistant.portal.reference.service import Limits
from assistant.resources import packaged

HOST = "127.0.0.1"
EXAMPLE_SEED = packaged("portal", "reference", "seed.example.yaml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m assistant.portal.reference",
        description=BANNER,
    )
    parser.add_argument("--state", type=Path, required=True, help="state file (JSON)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--seed", type=Path, help=f"seed for a new state file (default: {EXAMPLE_SEED.name})"
    )
    parser.add_argument("--outbox", type=Path, help="SMS outbox (default: <state>.outbox.jsonl)")
    parser.add_argument(
        "--training-key-file",
        type=Path,
        help="enables GET /api/training/captcha/{id} for requests sending this key",
    )
    parser.add_argument(
        "--session-idle", type=float, default=Limits.session_idle_s, help="seconds (default 300)"
    )
    parser.add_argument(
        "--sms-ttl", type=float, default=Limits.sms_ttl_s, help="SMS code lifetime in seconds"
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)

    import uvicorn

    from assistant.portal.reference.app import create_app

    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    key = (
        args.training_key_file.read_text(encoding="utf-8").strip()
        if args.training_key_file
        else None
    )
    app = create_app(
        args.state,
        seed_path=args.seed or EXAMPLE_SEED,
        outbox_path=args.outbox,
        training_key=key or None,
        limits=Limits(session_idle_s=args.session_idle, sms_ttl_s=args.sms_ttl),
    )
    uvicorn.run(app, host=HOST, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""`nes-asistan demo [--web] [--portal] [--state DIR] [--lang L]`: try the assistant
without a card.

Checks the system first (requirements.py) and names every missing Debian package and
the command that installs it, then runs the demo kit (run.py). The demo's state (the
card, its TEST PKI, the assistant's data) lives in `<user data dir>/demo`, or in
`--state DIR`; never in the current directory.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def main(args: argparse.Namespace) -> int:
    from assistant.demo.requirements import install_command, missing_parts
    from assistant.demo.run import run_demo
    from assistant.demo.texts import DEMO_TEXTS
    from assistant.i18n.catalog import translate
    from assistant.i18n.language import initial_language

    language = initial_language(getattr(args, "lang", None))

    def say(message_id: str, file: Any = sys.stdout, **values: object) -> None:
        text = translate(message_id, DEMO_TEXTS[message_id], language)
        print(text.format(**values), file=file, flush=True)

    missing = missing_parts()
    if missing:
        say("demo.missing", file=sys.stderr)
        for item in missing:
            say(f"demo.missing.{item.part.value}", file=sys.stderr)
            if item.package is not None:
                say("demo.package", file=sys.stderr, package=item.package)
        command = install_command(missing)
        if command is not None:
            say("demo.install", file=sys.stderr, command=command)
        return 2
    chat = [
        *(["--lang", args.lang] if getattr(args, "lang", None) else []),
        *(["web"] if args.web else []),
    ]
    try:
        return run_demo(_state_dir(args.state), chat, portal=args.portal, say=say)
    except (OSError, RuntimeError, TimeoutError) as error:
        say("demo.failed", file=sys.stderr, reason=error)
        return 2


def _state_dir(option: str | None) -> Path:
    if option:
        return Path(option).expanduser().resolve()
    from assistant.paths import data_dir

    return data_dir() / "demo"

"""`nes-asistan doctor`: run the checks, print them, optionally write the support report.

Exit code 0 when every check is fine, 1 when something deserves attention, 2 when
something is broken, so scripts and helpdesk tools can branch on it; `--json` prints
the same findings as JSON. When an agent runs, its card service answers (a warm module
and token, no second load); otherwise the checks run here. Only argparse is imported at
module level: `add_arguments` is called while `nes-asistan --help` builds its parser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from assistant.cli_texts import Text


def add_arguments(parser: argparse.ArgumentParser, text: Text) -> None:
    """The doctor's options, for `assistant.cli` and `python -m assistant.doctor` (which
    adds `--lang` itself; the main CLI has it as a global option)."""
    parser.add_argument("--json", action="store_true", help=text("cli.doctor.json"))
    parser.add_argument(
        "--report", metavar=text("cli.metavar.file"), type=Path, help=text("cli.doctor.report")
    )
    parser.add_argument(
        "--include-certificate", action="store_true", help=text("cli.doctor.include_certificate")
    )


def main(args: argparse.Namespace) -> int:
    from assistant.doctor.checks import Doctor
    from assistant.doctor.remote import ask_agent
    from assistant.doctor.report import build_report, to_json, to_text, write_report
    from assistant.i18n.catalog import translator
    from assistant.i18n.language import initial_language
    from assistant.paths import agent_socket

    language = initial_language(getattr(args, "lang", None))
    run = ask_agent(agent_socket()) or Doctor().run()
    report = build_report(
        run,
        language=language,
        translate=translator((language,)),
        include_certificate=args.include_certificate,
    )
    if args.json:
        sys.stdout.write(to_json(report))
    else:
        sys.stdout.write(to_text(report, details=False))
    if args.report is not None:
        for path in write_report(report, args.report):
            print(path, file=sys.stderr)
    return report.exit_code

"""`nes-asistan verify FILE [--content FILE] [--json]`: is this signed document valid?

Exit codes (documented in the README, for scripts):
  0  every signature passed (ETSI EN 319 102-1: PASSED)
  1  a signature failed, or the PDF was changed after signing (FAILED)
  2  no failure, but at least one signature is indeterminate (INDETERMINATE): no
     trusted root, revocation unknown, no proof of the signing time, …
  64 usage error (bad arguments)
  65 not a signed document we can check: no signature, unknown format, a detached
     signature without its content, an encrypted PDF
  66 the file (or the detached content) cannot be opened

argparse's own usage errors exit with 2, which here means "indeterminate"; the
subcommand is therefore registered with `usage_exit=64` (assistant.cli_parser). Only
argparse is imported at module level: `add_arguments` runs while `nes-asistan --help`
builds its parser.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from assistant.cli_texts import Text

EXIT_USAGE = 64
EXIT_NOT_SIGNED = 65
EXIT_NO_INPUT = 66


def add_arguments(parser: argparse.ArgumentParser, text: Text) -> None:
    """The options of `nes-asistan verify` (`--lang` is the main CLI's global option)."""
    parser.add_argument(
        "file", type=Path, metavar=text("cli.metavar.file"), help=text("cli.verify.file")
    )
    parser.add_argument(
        "--content", type=Path, metavar=text("cli.metavar.file"), help=text("cli.verify.content")
    )
    parser.add_argument("--json", action="store_true", help=text("cli.verify.json"))
    parser.add_argument("--offline", action="store_true", help=text("cli.verify.offline"))


def main(args: argparse.Namespace) -> int:
    from assistant.i18n.catalog import translator
    from assistant.i18n.language import initial_language
    from assistant.pki.trust import trust_locations
    from assistant.sign.texts import word_input_problem, word_report
    from assistant.sign.verdict import InputError, InputProblem
    from assistant.sign.verify import verify_file

    quiet_pyhanko()
    language = initial_language(getattr(args, "lang", None))
    translate = translator((language,))
    try:
        report = verify_file(args.file, args.content, fetch=not args.offline)
    except InputError as problem:
        print(
            word_input_problem(problem.problem, problem.name, language, translate), file=sys.stderr
        )
        unreadable = {
            InputProblem.NOT_FOUND,
            InputProblem.UNREADABLE,
            InputProblem.CONTENT_UNREADABLE,
        }
        return EXIT_NO_INPUT if problem.problem in unreadable else EXIT_NOT_SIGNED
    lines = word_report(report, language, translate, str(trust_locations()[0]))
    if args.json:
        sys.stdout.write(json.dumps(_as_json(report, lines), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(lines) + "\n")
    return report.exit_code


def quiet_pyhanko() -> None:
    """pyHanko logs every failed check with its traceback; the verdict already says what
    went wrong, and a person must never see a traceback."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logger = logging.getLogger(name)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False


def _as_json(report: Any, lines: list[str]) -> dict[str, Any]:
    def value(item: object) -> object:
        return item.isoformat() if hasattr(item, "isoformat") else getattr(item, "value", item)

    signatures = [
        {key: value(getattr(verdict, key)) for key in verdict.__dataclass_fields__}
        for verdict in report.signatures
    ]
    return {
        "tool": "nes-asistan verify",
        "file": report.file_name,
        "kind": report.kind.value,
        "content": report.content_name,
        "indication": report.indication.value,
        "exit_code": report.exit_code,
        "trust_anchors": report.trust_anchors,
        "signatures": signatures,
        "text": lines,
    }

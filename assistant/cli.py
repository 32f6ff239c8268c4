"""`nes-asistan` command line: argument parsing and dispatch only.

Every handler is named as "module:function" and imported on use, so `--help` and
`--version` never pay for pyscard, python-pkcs11 or cryptography (goal: < 0.15 s wall).
A subcommand is one small entry in `build_parser`: `parser.add_command(...)`, then its
options. Help and errors are in the language of `--lang` (anywhere on the line) or of the
system; global options (`--lang`) work before and after the subcommand.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from assistant.cli_parser import Parser, add_global_options, requested_language
from assistant.cli_texts import cli_text
from assistant.i18n.language import from_environment

Handler = Callable[[argparse.Namespace], int]
PROG = "nes-asistan"


class _ShowVersion(argparse.Action):
    """`--version`, read from the installed package's metadata only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from assistant import __version__

        print(f"{PROG} {__version__}")
        parser.exit()


def _run(handler: str, args: argparse.Namespace) -> int:
    module_name, _, function_name = handler.partition(":")
    function: Handler = getattr(importlib.import_module(module_name), function_name)
    return function(args)


# Whole: the CLI's complete surface, one entry per subcommand read top to bottom
# (CONTRIBUTING: a subcommand is one `add_command` entry plus its options).
def build_parser(language: str = "tr") -> Parser:
    text = cli_text(language)
    parser = Parser(
        prog=PROG, text=text, description=text("cli.description"), epilog=text("cli.exit_codes")
    )
    parser.add_argument("--version", action=_ShowVersion, help=text("cli.version"))
    add_global_options(parser, text)
    parser.set_defaults(handler="assistant.channels.terminal:main")
    commands = parser.commands()

    flows = parser.add_command(commands, "flows", "cli.flows")
    lint = flows.add_command(
        flows.commands(required=True), "lint", "cli.flows.lint", "assistant.flows_cli:main"
    )
    lint.add_argument(
        "paths", nargs="*", metavar=text("cli.metavar.path"), help=text("cli.flows.lint.paths")
    )
    lint.add_argument("--registry", metavar="MODULE:FUNCTION", help=text("cli.flows.lint.registry"))
    lint.add_argument(
        "--no-catalogs",
        dest="catalogs",
        action="store_false",
        help=text("cli.flows.lint.no_catalogs"),
    )

    parser.add_command(commands, "agent", "cli.agent", "assistant.agent.server:main")

    web = parser.add_command(commands, "web", "cli.web", "assistant.channels.web.server:main")
    web.add_argument("--port", type=int, default=0, metavar="N", help=text("cli.web.port"))
    web.add_argument("--no-browser", action="store_true", help=text("cli.web.no_browser"))

    parser.add_command(commands, "support", "cli.support", "assistant.helpdesk.support_cli:main")

    helpdesk = parser.add_command(
        commands, "helpdesk", "cli.helpdesk", "assistant.helpdesk_server.server:main"
    )
    helpdesk.add_argument(
        "--config",
        required=True,
        metavar=text("cli.metavar.file"),
        help=text("cli.helpdesk.config"),
    )

    from assistant.doctor.cli import add_arguments as add_doctor_arguments

    doctor = parser.add_command(commands, "doctor", "cli.doctor", "assistant.doctor.cli:main")
    add_doctor_arguments(doctor, text)

    demo = parser.add_command(commands, "demo", "cli.demo", "assistant.demo.cli:main")
    demo.add_argument("--web", action="store_true", help=text("cli.demo.web"))
    demo.add_argument("--portal", action="store_true", help=text("cli.demo.portal"))
    demo.add_argument("--state", metavar=text("cli.metavar.folder"), help=text("cli.demo.state"))

    desktop = parser.add_command(
        commands, "desktop-entry", "cli.desktop_entry", "assistant.desktop_entry:main"
    )
    desktop.add_argument("--install", action="store_true", help=text("cli.desktop_entry.install"))

    from assistant.sign.cli import EXIT_USAGE
    from assistant.sign.cli import add_arguments as add_verify_arguments

    verify = parser.add_command(
        commands, "verify", "cli.verify", "assistant.sign.cli:main", usage_exit=EXIT_USAGE
    )
    add_verify_arguments(verify, text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    language = requested_language(arguments) or from_environment()
    args = build_parser(language).parse_args(arguments)
    try:
        return _run(args.handler, args)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130

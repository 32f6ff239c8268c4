"""argparse that speaks the person's language, and whose global options work anywhere.

argparse writes "usage:", "options:" and its complaints in English. `Parser` takes a
`Text` (assistant.cli_texts) and words all of that through the catalogs instead: its own
headings and `-h`, and argparse's most common errors, matched on argparse's English
wording (anything not matched is shown as argparse wrote it). Every option goes into one
"options" group, so the English default groups stay empty and are not printed.

`add_global_options` puts `--lang` on the main parser *and* on every subcommand, so
`nes-asistan --lang ar web` and `nes-asistan web --lang ar` mean the same.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Sequence
from typing import Any, NoReturn

from assistant.cli_texts import Text
from assistant.i18n.language import LANGUAGE_NAMES, lang_option, language_of

# argparse's messages (Python 3.11-3.13 wording) → our message id.
_ARGPARSE_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message_id)
    for pattern, message_id in (
        (r"unrecognized arguments: (?P<values>.*)", "cli.error.unrecognized"),
        (
            r"argument (?P<option>\S+): invalid choice: (?P<value>'[^']*')"
            r" \(choose from (?P<choices>.*)\)",
            "cli.error.choice",
        ),
        (r"the following arguments are required: (?P<values>.*)", "cli.error.required"),
        (r"argument (?P<option>\S+): expected one argument", "cli.error.value_needed"),
        (r"argument (?P<option>\S+): invalid int value: (?P<value>.*)", "cli.error.number"),
        (r"argument (?P<option>\S+): (?P<detail>.*)", "cli.error.argument"),
    )
)


_TABLE_ROW = re.compile(r"\s+\S+\s+")


def argparse_error(message: str, text: Text) -> str:
    """argparse's English complaint in our words (as it is when we do not know it)."""
    for pattern, message_id in _ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if found:
            return text(message_id).format(**found.groupdict())
    return message


def _fill_line(line: str, width: int, indent: str) -> str:
    """Wrap one line; a table row ("  0    tamam ...") wraps under its second column."""
    row = _TABLE_ROW.match(line)
    hang = " " * (row.end() if row else 0)
    return textwrap.fill(line, width, initial_indent=indent, subsequent_indent=indent + hang)


def _formatter(text: Text) -> type[argparse.HelpFormatter]:
    class Formatter(argparse.HelpFormatter):
        """Our "usage:" prefix; texts keep their own line breaks (the exit-code table)."""

        def add_usage(
            self,
            usage: str | None,
            actions: Any,
            groups: Any,
            prefix: str | None = None,
        ) -> None:
            super().add_usage(
                usage, actions, groups, text("cli.usage") if prefix is None else prefix
            )

        def _fill_text(self, content: str, width: int, indent: str) -> str:
            return "\n".join(_fill_line(line, width, indent) for line in content.splitlines())

    return Formatter


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in the language `text` speaks."""

    def __init__(self, *args: Any, text: Text, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _formatter(text))
        kwargs["add_help"] = False  # our own -h, in our words and group
        super().__init__(*args, **kwargs)
        self.text = text
        self._options = self.add_argument_group(text("cli.options"))
        self._options.add_argument("-h", "--help", action="help", help=text("cli.help"))

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        return self._options.add_argument(*args, **kwargs)

    def add_command(
        self, commands: Any, name: str, help_id: str, handler: str | None = None
    ) -> Parser:
        """A subcommand with the global options, run by `handler` ("module:function";
        None for a group of subcommands such as `flows`)."""
        command: Parser = commands.add_parser(
            name, text=self.text, help=self.text(help_id), description=self.text(help_id)
        )
        add_global_options(command, self.text, default=argparse.SUPPRESS)
        if handler is not None:
            command.set_defaults(handler=handler)
        return command

    def commands(self, required: bool = False) -> Any:
        """The subcommands' container, for `add_command`."""
        return self.add_subparsers(
            title=self.text("cli.commands"),
            metavar=self.text("cli.metavar.command"),
            required=required,
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        error = self.text("cli.error")
        self.exit(2, f"{self.prog}: {error}: {argparse_error(message, self.text)}\n")


def add_global_options(parser: argparse.ArgumentParser, text: Text, default: Any = None) -> None:
    """Options that work before and after a subcommand. On subcommands the default is
    SUPPRESS: a value given before the subcommand must not be overwritten by None."""
    parser.add_argument(
        "--lang",
        type=_language_type(text),
        default=default,
        metavar=text("cli.metavar.code"),
        help=text("cli.lang"),
    )


def _language_type(text: Text) -> Any:
    def language(value: str) -> str:
        try:
            return lang_option(value)
        except argparse.ArgumentTypeError:
            choices = ", ".join(LANGUAGE_NAMES)
            message = text("cli.error.language").format(value=repr(value), choices=choices)
            raise argparse.ArgumentTypeError(message) from None

    return language


def requested_language(argv: Sequence[str]) -> str | None:
    """The `--lang` value in `argv` (anywhere, before `--`), read before parsing so the
    help itself can be in that language; None when absent or not a shipped language."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(argv):
            return language_of(argv[index + 1])
        if arg.startswith("--lang="):
            return language_of(arg.partition("=")[2])
    return None

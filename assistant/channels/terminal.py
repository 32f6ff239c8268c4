"""The terminal chat (`nes-asistan`): an in-process agent and a line-based conversation.

Card events can change the question while the person is typing (the card went in, so the
next question is the PIN). A plain `input()` could not be abandoned, and a PIN typed into
a visible prompt meant for something else would be on screen, so input is read with
`select()` and every read gives way as soon as a new question arrives; a PIN prompt turns
terminal echo off first. Colours appear only on a real terminal that is not `dumb` and
when NO_COLOR is unset, so tmux, SSH and pipes all get readable text.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from assistant.agent.conversation import PROMPT_OUTPUTS, Attached
from assistant.flow.outputs import Output, OutputKind
from assistant.i18n import messages
from assistant.i18n.language import SOURCE_LANGUAGE

_POLL_SECONDS = 0.1

# The terminal's own words: the marker before each kind of answer (a secret's says which
# secret, as the CA names it) and the notice when the agent goes away.
TERMINAL_TEXTS: dict[str, str] = {
    "terminal.marker.pin": "PIN",
    "terminal.marker.puk": "PUK",
    "terminal.marker.sms_code": "SMS Onay Kodu",
    "terminal.marker.security_word": "Güvenlik Sözcüğü",
    "terminal.agent_gone": "NES Asistanı (agent) durdu; görüşmeniz kayıtlı.",
}


def _indent(line: str) -> str:
    """Continuation lines keep the line's own indent (lists and reports stay readable)."""
    return line[: len(line) - len(line.lstrip())]


class Style:
    def __init__(self, stream: TextIO) -> None:
        self.enabled = (
            stream.isatty()
            and os.environ.get("TERM", "") not in ("", "dumb")
            and "NO_COLOR" not in os.environ
        )

    def __call__(self, text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text


class TerminalChat:
    def __init__(self, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.style = Style(stdout)
        self._write_lock = threading.Lock()
        self._new_prompt = threading.Event()
        self._prompt: Output | None = None
        self._ended = False
        self._at_prompt = False  # a "› " marker waits on the current line
        self._eof = False
        self.language = SOURCE_LANGUAGE  # the conversation's, after each turn

    def say(self, message_id: str) -> str:
        """One of the terminal's own texts in the conversation's language."""
        return messages.text(message_id, TERMINAL_TEXTS[message_id], self.language)

    # -- output ------------------------------------------------------------------------
    def show(self, outputs: list[Output]) -> None:
        with self._write_lock:
            if self._at_prompt and outputs:
                self.stdout.write("\n")  # an event arrived while the person was typing
                self._at_prompt = False
            for output in outputs:
                self._render(output)
                if output.kind in PROMPT_OUTPUTS:
                    self._prompt = output
                    self._discard_typed()  # typed before this question: not its answer
                    if output.kind is OutputKind.SECRET_REQUEST:
                        self._echo(False)  # at once, not when the reader catches up
                    self._new_prompt.set()
                if output.kind is OutputKind.END:
                    self._ended = True
                    self._new_prompt.set()
            self.stdout.flush()

    def _render(self, output: Output) -> None:
        width = min(shutil.get_terminal_size((88, 24)).columns, 88) - 2
        kind = output.kind
        if output.text:
            paragraph = "\n".join(
                textwrap.fill(line, width=width, subsequent_indent=_indent(line))
                for line in output.text.splitlines()
            )
            code = {OutputKind.PROGRESS: "2", OutputKind.END: "1"}.get(kind, "")
            if kind in PROMPT_OUTPUTS:
                code = "1"
            if output.message_id.startswith("helpdesk."):
                code = "35"  # the helpdesk's words stand apart from the assistant's
            print(self.style(paragraph, code) if code else paragraph, file=self.stdout)
        for number, choice in enumerate(output.choices, start=1):
            print(f"  {self.style(str(number), '36')}) {choice.text}", file=self.stdout)

    # -- input -------------------------------------------------------------------------
    def run(self, conversation: Attached, first: list[Output]) -> int:
        self.language = conversation.language
        self.show(first)
        while not self._ended:
            prompt = self._prompt
            self._new_prompt.clear()
            secret = (
                prompt.secret_kind if prompt and prompt.kind is OutputKind.SECRET_REQUEST else None
            )
            line = self._read_line(secret)
            if line is None:
                continue  # a new question arrived meanwhile: read again for it
            if line == "" and self._eof:
                return 0
            if not line.strip():
                continue
            outputs = conversation.reply(line)
            self.language = conversation.language
            self.show(outputs)
        return 0

    def marker(self, secret_kind: str | None) -> str:
        """ "› " before an answer; "PIN › ", "SMS Onay Kodu › "… before a hidden one."""
        if secret_kind is None:
            return "› "
        message_id = f"terminal.marker.{secret_kind}"
        if message_id not in TERMINAL_TEXTS:
            message_id = "terminal.marker.pin"
        return f"{self.say(message_id)} › "

    def _read_line(self, secret_kind: str | None) -> str | None:
        secret = secret_kind is not None
        marker = self.style(self.marker(secret_kind), "36")
        with self._write_lock:
            self.stdout.write(marker)
            self.stdout.flush()
            self._at_prompt = True
        with self._no_echo(secret):
            while True:
                if self._new_prompt.is_set() or self._ended:
                    return None
                if self._readable():
                    line = self.stdin.readline()
                    with self._write_lock:
                        self._at_prompt = False
                        if secret:
                            self.stdout.write("\n")  # echo was off, so was the newline
                    if line == "":
                        self._eof = True
                        return ""
                    return line.rstrip("\r\n")

    def _readable(self) -> bool:
        import select

        ready, _, _ = select.select([self.stdin], [], [], _POLL_SECONDS)
        return bool(ready)

    def _discard_typed(self) -> None:
        """Drop a half-typed line so it never lands in the next (maybe secret) answer."""
        if self.stdin.isatty():
            import termios

            termios.tcflush(self.stdin.fileno(), termios.TCIFLUSH)

    def _echo(self, on: bool) -> None:
        if not self.stdin.isatty():
            return
        import termios

        fd = self.stdin.fileno()
        mode = termios.tcgetattr(fd)
        mode[3] = mode[3] | termios.ECHO if on else mode[3] & ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSANOW, mode)

    @contextmanager
    def _no_echo(self, secret: bool) -> Iterator[None]:
        """Echo off while a secret is read; on again for every other question."""
        self._echo(not secret)
        try:
            yield
        finally:
            self._echo(True)


def main(args: argparse.Namespace) -> int:
    from assistant.agent import logs
    from assistant.agent.client import AgentGoneError, RemoteConversation
    from assistant.i18n.language import initial_language
    from assistant.paths import agent_socket

    logs.configure("terminal")
    chat = TerminalChat()
    language = initial_language(getattr(args, "lang", None))
    attached = RemoteConversation.attach(agent_socket(), chat.show, "terminal", language)
    if attached is None:
        return _run_in_process(chat, language)
    conversation, first = attached
    try:
        return chat.run(conversation, first)
    except AgentGoneError:
        print("\n" + chat.say("terminal.agent_gone"), file=sys.stderr)
        return 1
    finally:
        conversation.close()


def _run_in_process(chat: TerminalChat, language: str) -> int:
    """No agent runs: this process holds the card for as long as the chat lasts."""
    from assistant.agent.core import load_agent

    agent = load_agent()
    if agent is None:
        return 2
    agent.start()
    conversation, first = agent.conversation("terminal", chat.show, language=language)
    try:
        return chat.run(conversation, first)
    finally:
        conversation.close()
        agent.stop()

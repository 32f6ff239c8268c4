"""A front end's side of the local agent API: a conversation held by another process.

It answers like an in-process `Conversation` (`reply(text) -> outputs`, `close()`), so
a front end does not care where the agent runs. A reader thread takes the agent's lines:
answers go to the waiting request, card-event pushes to the front end's callback.
"""

from __future__ import annotations

import contextlib
import json
import queue
import socket
import threading
from pathlib import Path
from typing import Any

from assistant.agent.conversation import Attached, Opener
from assistant.agent.wire import encode, output_from_json
from assistant.flow.outputs import Output, Push

REPLY_TIMEOUT_SECONDS = 120.0  # a card operation on a slow reader may take long
CLOSE_TIMEOUT_SECONDS = 5.0


class AgentGoneError(ConnectionError):
    """The agent closed the connection (stopped or crashed) or stopped answering."""


class RemoteConversation:
    def __init__(self, connection: socket.socket, push: Push, language: str) -> None:
        self.language = language
        """As the agent last reported it ('dil' may change it mid-conversation)."""
        self._socket = connection
        self._push = push
        self._answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._lock = threading.Lock()  # one request at a time
        self._reader = threading.Thread(target=self._read, name="agent-reader", daemon=True)
        self._reader.start()

    @classmethod
    def attach(
        cls, path: Path, push: Push, channel: str, language: str
    ) -> tuple[RemoteConversation, list[Output]] | None:
        """Attach to a running agent; None when none answers on `path`."""
        connection = socket.socket(socket.AF_UNIX)
        try:
            connection.connect(str(path))
        except OSError:
            connection.close()
            return None
        conversation = cls(connection, push, language)
        return conversation, conversation._request(
            {"op": "open", "channel": channel, "language": language}
        )

    def reply(self, text: str) -> list[Output]:
        return self._request({"op": "reply", "text": text})

    def close(self) -> None:
        """Close, and wait (briefly) until the agent has let go of the conversation: it
        hangs up only after that, so a front end opened right after this one (a reloaded
        web page) resumes the conversation instead of being asked to take it over."""
        with contextlib.suppress(OSError):
            self._socket.sendall(encode({"op": "close"}))
            if self._reader is not threading.current_thread():
                self._reader.join(CLOSE_TIMEOUT_SECONDS)
        self._socket.close()

    def _request(self, message: dict[str, Any]) -> list[Output]:
        with self._lock:
            try:
                self._socket.sendall(encode(message))
            except OSError as error:
                raise AgentGoneError from error
            try:
                answer = self._answers.get(timeout=REPLY_TIMEOUT_SECONDS)
            except queue.Empty:
                raise AgentGoneError("no answer within the reply timeout") from None
        if answer is None:
            raise AgentGoneError
        if answer.get("type") == "error":
            raise ValueError(f"agent refused the request: {answer.get('error')}")
        return [output_from_json(o) for o in answer.get("outputs", ())]

    def _read(self) -> None:
        stream = self._socket.makefile("rb")
        try:
            for line in stream:
                message = json.loads(line)
                if message.get("language"):
                    self.language = str(message["language"])
                if message.get("type") == "push":
                    self._push([output_from_json(o) for o in message["outputs"]])
                else:
                    self._answers.put(message)
        except (OSError, ValueError):
            pass
        finally:
            self._answers.put(None)  # wakes a waiting request: the agent is gone


def attach_opener(path: Path) -> Opener:
    """An `Opener` for front ends that attach to the agent on `path` for each conversation."""

    def open_conversation(channel: str, push: Push, language: str) -> tuple[Attached, list[Output]]:
        attached = RemoteConversation.attach(path, push, channel, language)
        if attached is None:
            raise AgentGoneError(str(path))
        return attached

    return open_conversation

"""The local agent: loads and lints the flows, owns the card service and the session store.

Front ends ask it for a `Conversation`; it resumes the person's unfinished one when
there is one, so closing the terminal (or the process being killed) loses nothing.
Flows are checked against the real action registry at start: a broken flow file stops
the agent with the author-facing problem list instead of failing mid-conversation.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.agent.actions import build_registry
from assistant.agent.card_service import CardService
from assistant.agent.conversation import Conversation
from assistant.flow.lint import lint
from assistant.flow.loader import load_all
from assistant.flow.model import Problem
from assistant.flow.outputs import Output, Push, Translator
from assistant.flow.session import Session
from assistant.flow.store import SessionStore
from assistant.i18n.catalog import translator as catalog_translator
from assistant.resources import flow_files

ROOT_FLOW = "main"


class FlowProblemsError(RuntimeError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class Agent:
    def __init__(
        self,
        *,
        card: CardService | None = None,
        store: SessionStore | None = None,
        flows_path: Path | None = None,
        translator: Translator | None = None,
        root: str = ROOT_FLOW,
    ) -> None:
        self.card = card or CardService()
        self.registry = build_registry(self.card)
        flows, problems = load_all([flows_path] if flows_path else flow_files())
        problems += lint(flows, self.registry)  # a missing translation falls back to Turkish
        if problems:
            raise FlowProblemsError(problems)
        self.flows = flows
        self.store = store or SessionStore()
        self.translator = translator or catalog_translator()
        self.root = root

    def start(self) -> None:
        self.card.start()

    def stop(self) -> None:
        self.card.stop()
        self.store.close()

    def conversation(
        self, channel: str, push: Push, language: str = "tr"
    ) -> tuple[Conversation, list[Output]]:
        """The person's unfinished conversation if any, else a new one; and what to show."""
        saved = self._unfinished(channel)

        def fresh() -> Session:
            return Session(
                self.flows,
                self.registry,
                self.root,
                language=language,
                channel=channel,
                translator=self.translator,
            )

        conversation = Conversation(saved or fresh(), self.store, self.card, push, fresh)
        return conversation, conversation.start(resumed=saved is not None)

    def _unfinished(self, channel: str) -> Session | None:
        for session_id in self.store.open_sessions():
            try:
                session = self.store.load(
                    session_id, self.flows, self.registry, translator=self.translator
                )
            except (ValueError, KeyError):
                continue  # saved against flows that changed since: start afresh
            if session is not None and session.channel == channel and session.root == self.root:
                return session
        return None


def load_agent() -> Agent | None:
    """The agent, or None after saying on stderr which flow files are broken and where."""
    try:
        return Agent()
    except FlowProblemsError as error:
        print("Akış dosyalarında sorun var / flow files have problems:", file=sys.stderr)
        print(error, file=sys.stderr)
        return None

"""A second front end meets a conversation another front end is driving.

Two windows answering one saved conversation would each save their own copy, and the last
save would win. So when the unfinished conversation a front end would resume is open in
another window of the same agent, it is offered, not taken: "continue here" moves the
live session over (the other window is told, in its own language, and stops) and
"start a new one" opens a fresh conversation. Either way nothing typed is lost: there is
only ever one session object, saved after every turn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.agent.conversation import Attached, Conversation
from assistant.agent.texts import AGENT_TEXTS
from assistant.flow import replies
from assistant.flow.outputs import Output, OutputChoice, OutputKind, Push, Translator
from assistant.flow.texts import ENGINE_TEXTS
from assistant.i18n.matching import matches_any

if TYPE_CHECKING:
    from assistant.agent.core import Agent

TAKE, NEW = "take", "new"
_CHOICES = {TAKE: "agent.takeover_take", NEW: "agent.takeover_new"}


class TakeoverOffer:
    """The question "continue here or start anew?", then the conversation chosen."""

    def __init__(
        self,
        agent: Agent,
        holder: Conversation,
        channel: str,
        push: Push,
        language: str,
    ) -> None:
        self._agent = agent
        self._holder = holder
        self._channel = channel
        self._push = push
        self._language = language
        self._translate: Translator = agent.translator
        self._chosen: Attached | None = None

    @property
    def language(self) -> str:
        return self._chosen.language if self._chosen is not None else self._language

    def start(self) -> list[Output]:
        return [self._offer()]

    def reply(self, text: str) -> list[Output]:
        if self._chosen is not None:
            return self._chosen.reply(text)
        choice = self._choice(text)
        if choice is None:
            invalid = self._text("engine.invalid_choice", ENGINE_TEXTS["engine.invalid_choice"])
            return [invalid, self._offer()]
        chosen: Conversation
        if choice == TAKE:
            chosen, outputs = self._agent.take_over(self._holder, self._push)
        else:
            chosen, outputs = self._agent.fresh_conversation(
                self._channel, self._push, self._language
            )
        self._chosen = chosen
        return outputs

    def close(self) -> None:
        if self._chosen is not None:
            self._chosen.close()

    def _choice(self, text: str) -> str | None:
        if replies.problem(text) is not None:
            return None
        number = replies.choice_number(text, len(_CHOICES))
        if number is not None:
            return list(_CHOICES)[number - 1]
        for choice, message_id in _CHOICES.items():
            shown = self._text(message_id, AGENT_TEXTS[message_id]).text
            if matches_any(text, (choice, AGENT_TEXTS[message_id], shown)):
                return choice
        return None

    def _offer(self) -> Output:
        choices = tuple(
            OutputChoice(choice, self._text(message_id, AGENT_TEXTS[message_id]).text)
            for choice, message_id in _CHOICES.items()
        )
        question = self._text("agent.takeover_offer", AGENT_TEXTS["agent.takeover_offer"])
        return Output(OutputKind.CHOICE, question.message_id, question.text, choices=choices)

    def _text(self, message_id: str, source: str) -> Output:
        text = self._translate(message_id, source, self._language)
        return Output(OutputKind.TEXT, message_id, text)

"""The canary sweep and the reply fuzzer, at every prompt of every shipped flow.

`walker` walks the shipped flows through the agent's conversation layer until every
prompt is reached (the test fails, naming them, if one is not). At each prompt:

- a lone surrogate ("\\ud800") gets its translated message and the same question, and
  is not kept;
- the canary sweep types a PIN, a PUK, an SMS Onay Kodu, a security word and a T.C.
  Kimlik No, also as people mistype them (`84639²`, in groups, in a sentence), and then
  looks for them in every file under the user's data, log and cache dirs — the SQLite
  database, its WAL and shared-memory files included — and in every log record;
- hypothesis types anything at all (lone surrogates, NULs, 5,000 digits, Arabic-Indic
  digits, repair words…) and checks that no turn fails, that what is stored reads back,
  and that the conversation goes on: a good answer afterwards still works.

Counts: `NES_ASISTAN_WALKS` walks to find the prompts (default 1500) and
`NES_ASISTAN_EXAMPLES` hypothesis examples (tests/examples.py: 100 in CI; e.g. 5000 on
demand).
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.agent import logs
from assistant.agent.texts import AGENT_TEXTS
from assistant.flow.outputs import OutputKind
from tests.examples import examples
from tests.unit.agent.walker import (
    PIN,
    PUK,
    SECURITY_WORD,
    SMS_CODE,
    TCKN,
    Visit,
    Walker,
    answer,
    prompt_steps,
)

WALKS = int(os.environ.get("NES_ASISTAN_WALKS", "1500"))
FUZZ_EXAMPLES = examples(100)
# What is typed, and what must then be found nowhere.
CANARIES: dict[str, tuple[str, ...]] = {
    PIN: (PIN,),
    "84639²": ("84639²", "84639"),
    f"{PIN[:3]} {PIN[3:]}": (f"{PIN[:3]} {PIN[3:]}", PIN),
    f"PIN'im {PIN} ama olmuyor": (PIN,),
    PUK: (PUK,),
    SMS_CODE: (SMS_CODE,),
    SECURITY_WORD: (SECURITY_WORD, "kanarya-guvenlik"),
    SECURITY_WORD.upper(): ("KANARYA-GÜVENLIK-7781", "kanarya-güvenlik"),
    TCKN: (TCKN,),
    "100 000 001 46": ("100 000 001 46", TCKN),
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    saved = os.environ.get("NES_ASISTAN_HOME")
    os.environ["NES_ASISTAN_HOME"] = str(home)
    logs.configure(level=logging.DEBUG)
    try:
        yield home
    finally:
        logging.getLogger().handlers.clear()
        if saved is None:
            del os.environ["NES_ASISTAN_HOME"]
        else:
            os.environ["NES_ASISTAN_HOME"] = saved


@pytest.fixture(scope="module")
def walker(home: Path) -> Iterator[Walker]:
    walker = Walker()
    yield walker
    walker.close()


@pytest.fixture(scope="module")
def visits(walker: Walker) -> dict[tuple[str, str], Visit]:
    return walker.walks(WALKS)


def test_the_walk_reaches_every_prompt_of_every_shipped_flow(
    walker: Walker, visits: dict[tuple[str, str], Visit]
) -> None:
    missing = sorted(prompt_steps(walker.flows) - set(visits))
    assert missing == [], f"not reached in {WALKS} walks (raise NES_ASISTAN_WALKS): {missing}"


def _files(home: Path) -> dict[str, bytes]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return {str(p): p.read_bytes() for p in home.rglob("*") if p.is_file()}


def test_unreadable_text_and_canaries_at_every_prompt_leave_nothing_behind(
    home: Path, walker: Walker, visits: dict[tuple[str, str], Visit]
) -> None:
    leaks: list[str] = []
    looked_for = sorted({c for canaries in CANARIES.values() for c in canaries})
    for key, visit in sorted(visits.items()):
        conversation = walker.replay(visit)
        users = sum(1 for e in conversation.session.transcript if e.role == "user")
        refused = conversation.reply("\ud800")  # what a web client sends as "\ud800"
        assert refused[0].message_id == "engine.unreadable", key
        assert refused[-1].message_id == f"{visit.flow}.{visit.step}", key  # asked again
        assert sum(1 for e in conversation.session.transcript if e.role == "user") == users
        for typed in CANARIES:
            if [(f.flow, f.step) for f in conversation.session.frames] != list(visit.stack):
                conversation.close()  # the last canary was taken as the answer: go back there
                conversation = walker.replay(visit)
            outputs = conversation.reply(typed)
            assert AGENT_TEXTS["agent.unexpected"] not in [o.text for o in outputs], key
        conversation.close()
        files = _files(home)  # after each prompt, so a leak names the prompt it came from
        leaks += [
            f"{canary!r} typed at {key} is in {path}"
            for canary in looked_for
            for path, data in files.items()
            if canary.encode() in data
        ]
        assert leaks == []


REPLIES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, categories=("Cs", "Cc", "Nd", "No")), max_size=8),
    st.sampled_from(
        [
            "\ud800",
            "\x00",
            "9" * 5000,
            "84639²",
            "١٢٣",
            "²",
            "1.",
            "geri",
            "iptal",
            "baştan",
            "dil",
            "yardım",
            "operatör",
            "evet",
            "hayır",
            "SON DENEME",
            "",
            " ",
            "x" * 5000,
        ]
    ),
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), replies=st.lists(REPLIES, min_size=1, max_size=4))
def test_any_reply_at_any_prompt_is_answered_and_the_conversation_goes_on(
    walker: Walker, visits: dict[tuple[str, str], Visit], data: st.DataObject, replies: list[str]
) -> None:
    key = data.draw(st.sampled_from(sorted(visits)))
    conversation = walker.replay(visits[key])
    try:
        for reply in replies:
            outputs = conversation.reply(reply)
            assert outputs, (key, reply)
            assert AGENT_TEXTS["agent.unexpected"] not in [o.text for o in outputs], (key, reply)
            for output in outputs:
                output.text.encode("utf-8")  # every text can be shown and sent
        session = conversation.session
        state = walker.store.load(session.id, walker.flows, session.registry)
        assert state is not None and state.transcript == session.transcript
        json.dumps(session.to_state(), ensure_ascii=False).encode("utf-8")
        if not session.ended and session.frames:
            good = answer(session, random.Random(0))
            outputs = conversation.reply(good)
            assert AGENT_TEXTS["agent.unexpected"] not in [o.text for o in outputs]
            assert outputs and (outputs[-1].kind is not OutputKind.TEXT or session.ended)
    finally:
        conversation.close()

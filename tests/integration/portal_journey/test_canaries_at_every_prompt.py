"""Secrets typed at the wrong prompt, on the rig with the real parts: nothing is kept.

The guided walk for the real site tells the person to type the Güvenlik Sözcüğü and the
SMS Onay Kodu on the site; people type them into the chat anyway, at "1) Yaptım 2) Sorun
var". The training-portal login asks for the T.C. Kimlik No, which is kept masked. Here
every canary is typed at every non-secret prompt of those journeys (secret prompts would
spend the portal's tries; the walker sweep covers them), then every file under the
user's data, log and cache dirs — SQLite database, WAL and all — is searched.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.demo.virtual_card import VirtualCard
from assistant.flow.outputs import OutputKind
from tests.integration.portal_journey.conftest import Journey
from tests.unit.portal.conftest import TCKN, WORD_CANARY

pytestmark = pytest.mark.integration

SITE_SMS, SITE_WORD = "481126", "kırmızıelma"
CANARIES = [SITE_SMS, SITE_WORD, "739184", "60418273", "84639²", WORD_CANARY, TCKN]
LOOKED_FOR = [*CANARIES, "84639", "kirmizielma", "KIRMIZIELMA"]


def _type_canaries(run: Journey, skip: str = "") -> None:
    """Each canary at the current prompt; none may be taken as its answer."""
    prompt = run.prompt.message_id
    for canary in CANARIES:
        if canary == skip:
            continue
        run.reply(canary)
        assert run.prompt.message_id == prompt, run.trace()


def test_secrets_typed_into_the_guided_walk_are_masked_and_named(
    journey: Callable[..., Journey], locked_akis_card: VirtualCard
) -> None:
    run = journey("unlock", locked_akis_card, guided=True)
    run.expect("portal_guide.offer_printable")
    _type_canaries(run)
    run.reply("hayır")
    while run.prompt.message_id == "portal_guide.show":
        _type_canaries(run)
        run.reply("yaptım")
    run.expect("unlock.still_locked")
    _type_canaries(run)
    notices = [o for o in run.outputs if o.message_id == "engine.secret_here"]
    assert notices and all(o.kind is OutputKind.TEXT for o in notices)
    assert run.leaks(LOOKED_FOR) == []


def test_a_tckn_is_stored_masked_and_no_canary_at_a_login_prompt_is_kept(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis"))
    run.expect("portal_login.ask_tckn")
    _type_canaries(run, skip=TCKN)
    run.reply(TCKN)
    run.expect("portal_login.ask_captcha")
    _type_canaries(run)
    run.reply(run.captcha())
    run.expect("portal_login.ask_word")
    run.reply(WORD_CANARY)
    run.expect("portal_login.ask_sms")
    code = run.sms_codes()[-1]
    run.reply(code)
    run.expect("portal.menu")
    _type_canaries(run)
    assert run.conversation.session.context["tckn"] == f"{TCKN[:3]}******{TCKN[-2:]}"
    assert run.leaks([*LOOKED_FOR, code]) == []

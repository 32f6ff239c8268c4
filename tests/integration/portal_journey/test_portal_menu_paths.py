"""The portal menu paths no conversation had walked yet, each on the rig with a served portal.

Askıdan İndir after a suspension, Bilgi Güncelle (cep telefonu), the portal going away in
the middle of the menu, and the lost-card route that revokes. Each checks what the person
would notice on the portal itself (through an independent `PortalClient` login), and that
the security word and the SMS codes reach no output, state file or log.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.virtual_card import VirtualCard
from assistant.portal.api import CertificateStatus
from assistant.portal.client import PortalClient
from assistant.portal.reference.training import captcha_answer
from assistant.resources import shipped_flows
from assistant.secret import Secret, SecretKind
from tests.integration.portal_journey.conftest import WORD_CANARY, Journey
from tests.unit.portal.conftest import MOBILE, TCKN, TRAINING_KEY

pytestmark = pytest.mark.integration

NEW_MOBILE = "05417654321"


def own_login(run: Journey) -> PortalClient:
    """A second, independent login to the same portal: how the holder would check."""
    client = PortalClient(run.portal.base_url)
    challenge = client.begin_login(TCKN)
    answer = captcha_answer(run.portal.base_url, challenge.login_id, TRAINING_KEY)
    client.submit_login(answer, Secret(WORD_CANARY, SecretKind.SECURITY_WORD))
    client.submit_sms(Secret(run.sms_codes()[-1], SecretKind.SMS_CODE))
    assert client.logged_in
    return client


def statuses(run: Journey) -> dict[str, CertificateStatus]:
    with own_login(run) as client:
        return {c.serial: c.status for c in client.list_certificates()}


def leaks(run: Journey) -> list[str]:
    """The security word and SMS codes anywhere: outputs, state DB, agent and portal logs."""
    stored = {p.name for p in run.home.rglob("*") if p.is_file()}
    assert any(".log" in name for name in stored) and "conversations.sqlite3" in stored, stored
    canaries = [WORD_CANARY, *run.sms_codes()]
    portal_log = run.portal.log_text()
    return run.leaks(canaries) + [f"{c} in portal log" for c in canaries if c in portal_log]


def said(run: Journey, message_id: str) -> bool:
    return any(o.message_id == message_id for o in run.outputs)


def test_askidan_indir_reactivates_a_suspended_certificate(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis"))
    run.login()
    run.expect("portal.menu")
    with own_login(run) as client:
        serial = client.list_certificates()[0].serial
        assert client.suspend(serial).value == "done"
    assert statuses(run)[serial] is CertificateStatus.SUSPENDED

    run.reply("Askıdan İndir")
    which = run.expect("portal.unsuspend_which")
    assert "Askıda" in which.text
    run.reply("1")
    run.expect("portal.unsuspend_confirm")
    run.reply("evet")
    assert said(run, "portal.unsuspended"), run.trace()
    run.expect("portal.menu")
    assert statuses(run)[serial] is CertificateStatus.ACTIVE

    run.reply("Sertifika Listele")  # the menu's own listing says so too
    assert "Geçerli" in run.expect("portal.show_certificates").text
    run.reply("menü")
    run.expect("portal.menu")
    run.reply("Askıdan İndir")  # an active one is not "unsuspended" again
    run.reply("1")
    assert said(run, "portal.unsuspend_not_suspended"), run.trace()
    run.expect("portal.menu")
    assert leaks(run) == []


def test_bilgi_guncelle_rejects_a_wrong_mobile_and_saves_a_valid_one(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis"))
    run.login()
    run.reply("Bilgi Güncelle")
    fields = run.expect("portal.which_field")
    assert MOBILE[-4:] in fields.text.replace(" ", "")
    run.reply("Cep telefonu")
    run.expect("portal.ask_mobile")
    run.reply("12345")  # not a mobile number: the validator's words, same question again
    assert any(o.message_id == "validator.mobile" for o in run.outputs[-2:]), run.trace()
    run.expect("portal.ask_mobile")
    with own_login(run) as client:
        assert client.holder_info().mobile == MOBILE  # nothing was sent to the portal

    run.reply("0541 765 43 21")
    updated = next((o for o in run.outputs if o.message_id == "portal.info_updated"), None)
    assert updated is not None and NEW_MOBILE in updated.text, run.trace()
    run.expect("portal.menu")
    with own_login(run) as client:
        assert client.holder_info().mobile == NEW_MOBILE
    assert leaks(run) == []


def test_portal_gone_mid_menu_is_answered_plainly_and_the_conversation_goes_on(
    journey: Callable[..., Journey],
    virtual_card: Callable[..., VirtualCard],
    tmp_path: Path,
) -> None:
    # The whole assistant, from its main menu: journey() adds its own flows to these.
    (tmp_path / "flows").mkdir()
    for flow in shipped_flows().glob("*.yaml"):
        shutil.copy(flow, tmp_path / "flows" / flow.name)
    run = journey("main", virtual_card("akis"))
    run.reply("Kamu SM portalında işlem yapmak istiyorum")
    run.login()
    run.expect("portal.menu")
    run.portal.process.terminate()
    run.portal.process.wait(timeout=10)

    got = run.reply("Sertifika Listele")
    said_now = [o for o in got if o.message_id == "portal.unreachable"]
    assert len(said_now) == 1, run.trace()
    assert "ulaşamıyorum" in said_now[0].text and "444 5 576" in said_now[0].text
    text = "\n".join(f"{o.text} {o.params}" for o in got)
    assert "Traceback" not in text and "Error" not in text and "problem" not in text
    run.expect("main.anything_else")  # the conversation goes on
    run.reply("evet")
    run.expect("main.menu")
    assert leaks(run) == []


def test_lost_card_revoke_needs_the_typed_phrase(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("lost_card", virtual_card("akis"))
    run.expect("lost_card.route")
    run.reply("2")  # Sertifikamı İptal Et (kart bulunmayacak)
    run.login()
    run.expect("portal_revoke.ask_which")
    run.reply("1")
    run.expect("portal_revoke.ask_reason")
    run.reply("1")
    run.expect("portal_revoke.confirm_serial")
    serial = run.conversation.session.context["cert"]["serial"]
    run.reply(serial[-4:])
    run.expect("portal_revoke.confirm_phrase")
    run.reply("evet")  # a plain yes never revokes
    assert run.outputs[-2].message_id == "engine.confirm_mismatch", run.trace()
    run.expect("portal_revoke.confirm_phrase")
    assert statuses(run)[serial] is CertificateStatus.ACTIVE

    run.reply("SERTİFİKAMI İPTAL ET")
    assert said(run, "portal_revoke.revoked"), run.trace()
    assert said(run, "lost_card.done") and run.outputs[-1].outcome == "ok", run.trace()
    assert statuses(run)[serial] is CertificateStatus.REVOKED
    assert leaks(run) == []

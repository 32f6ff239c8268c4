"""Conversations through the portal flows, on the rig with a served training portal."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.virtual_card import VirtualCard
from tests.integration.portal_journey.conftest import (
    CARD_PIN,
    NEW_PIN,
    PIN_CANARY,
    PUK_CANARY,
    WORD_CANARY,
    Journey,
    pkcs11_login,
)

pytestmark = pytest.mark.integration


def test_login_with_captcha_and_sms_code_reaches_the_menu(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis", pin=CARD_PIN))
    assert "gerçek Kamu SM değildir" in run.outputs[0].text  # says it is the training portal
    run.login()
    menu = run.expect("portal.menu")
    assert [c.text for c in menu.choices] == [
        "Askıdan İndir",
        "Sertifikamı İptal Et",
        "Bilgi Güncelle",
        "Sertifika Listele",
        "PIN / PUK Bilgisi",
        "Kilit Çözme",
        "Çıkış",
    ]
    captcha = Path(run.conversation.session.context["challenge"]["captcha_path"])
    assert captcha.read_bytes().startswith(b"\x89PNG")
    assert stat.S_IMODE(captcha.stat().st_mode) == 0o600
    secret_prompts = [o.secret_kind for o in run.outputs if o.secret_kind]
    assert secret_prompts == ["security_word", "sms_code"]

    run.reply("Sertifika Listele")
    run.expect("portal.show_certificates")
    run.reply("1")
    assert any(o.message_id == "portal.show_detail" for o in run.outputs)
    run.expect("portal.menu")
    run.reply("7")  # Çıkış
    assert run.outputs[-1].outcome == "ok"
    assert run.leaks([WORD_CANARY, *run.sms_codes()]) == []


def test_wrong_security_word_and_wrong_sms_code_are_answered_and_recovered(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis"))
    run.expect("portal_login.ask_tckn")
    run.reply("12345678901")  # checksum fails: asked again
    run.expect("portal_login.ask_tckn")
    run.reply("10000000146")
    run.reply(run.captcha())
    run.reply("yanlis-sozcuk-5512")
    assert any(o.message_id == "portal_login.bad_word" for o in run.outputs)
    run.expect("portal_login.remembers_word")
    run.reply("evet")
    run.expect("portal_login.ask_captcha")
    run.reply(run.captcha())
    run.reply(WORD_CANARY)
    run.expect("portal_login.ask_sms")
    code = run.sms_codes()[-1]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    run.reply(wrong)
    assert any(o.message_id == "portal_login.wrong_code" for o in run.outputs)
    run.expect("portal_login.ask_sms")
    run.reply(code)
    run.expect("portal.menu")
    assert run.leaks([WORD_CANARY, "yanlis-sozcuk-5512", code, wrong]) == []


def test_kilit_cozme_unlocks_the_card_and_the_new_pin_verifies(
    journey: Callable[..., Journey], locked_akis_card: VirtualCard, opensc_module: Path
) -> None:
    card = locked_akis_card
    run = journey("unlock", card)
    assert any(o.message_id == "unlock.locked" for o in run.outputs)
    run.login()
    run.expect("portal_unlock.ask_new_pin")
    run.reply(NEW_PIN)
    run.reply(NEW_PIN)
    confirm = run.expect("portal_unlock.confirm")
    serial = run.conversation.session.context["token"]["serial"]
    run.reply("evet")  # a plain yes never confirms
    assert run.outputs[-2].message_id == "engine.confirm_mismatch"
    assert confirm.kind.value == "confirm_request" and card.pin_tries_left == 0
    run.reply(serial[-4:])
    assert run.outputs[-1].outcome == "ok", run.trace()
    assert any(o.message_id == "unlock.unlocked" for o in run.outputs)

    assert card.pin == NEW_PIN and card.pin_tries_left == 3
    assert card.puk_tries_left == 3  # the CA credential was right the first time
    checked = pkcs11_login(opensc_module, card, NEW_PIN)
    assert checked.returncode == 0, checked.stderr
    assert run.leaks([WORD_CANARY, NEW_PIN, PUK_CANARY, CARD_PIN, *run.sms_codes()]) == []


def test_unlock_refuses_a_card_the_holder_does_not_own(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    owner = virtual_card("akis", insert=False)  # the portal's holder owns this one
    stranger = virtual_card("akis", puk=PUK_CANARY)  # same PUK, someone else's certificate
    run = journey("unlock", owner)
    run.expect("unlock.not_locked")
    run.reply("evet")
    run.login()
    run.reply(NEW_PIN)
    run.reply(NEW_PIN)
    serial = run.conversation.session.context["token"]["serial"]
    run.reply(serial[-4:])
    assert any(o.message_id == "portal_unlock.other_card" for o in run.outputs), run.trace()
    assert stranger.puk_tries_left == 3 and stranger.pin == "123456"


def test_revoke_needs_the_serial_tail_and_the_typed_phrase(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis"))
    run.login()
    run.reply("Sertifikamı İptal Et")
    run.expect("portal_revoke.ask_which")
    run.reply("1")
    run.expect("portal_revoke.ask_reason")
    run.reply("1")  # lost or stolen
    run.expect("portal_revoke.confirm_serial")
    serial = run.conversation.session.context["cert"]["serial"]
    run.reply(serial[-4:])
    run.expect("portal_revoke.confirm_phrase")

    listing = run.agent.registry.get("portal.list_certificates")
    assert listing is not None

    def first_status() -> str:
        result = listing.fn(context=run.conversation.session.action_context)
        return str(result.outputs["listing"]).splitlines()[0]  # type: ignore[union-attr]

    run.reply("evet")  # plain yes: refused, nothing revoked
    assert run.outputs[-2].message_id == "engine.confirm_mismatch"
    run.reply("iptal")  # the repair word leaves (after asking), it never revokes
    assert run.prompt.message_id == "engine.cancel_confirm"
    run.reply("hayır")
    run.expect("portal_revoke.confirm_phrase")
    assert "Geçerli" in first_status()

    run.reply("sertifikami iptal et")  # Turkish-aware: the ASCII-typed phrase matches
    assert any(o.message_id == "portal_revoke.revoked" for o in run.outputs), run.trace()
    assert "İptal Edildi" in first_status()
    run.expect("portal.menu")


def test_pin_puk_bilgisi_never_shows_the_pin_and_saves_a_private_pdf(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("portal", virtual_card("akis"))
    run.login()
    run.reply("PIN / PUK Bilgisi")
    run.expect("portal.pin_menu")
    run.reply("1")  # Parolalarımı Kaydet
    run.expect("portal.ask_pdf_path")
    run.reply("/etc/pin.pdf")  # outside the home folder: refused
    assert any(o.message_id == "portal.pdf_bad_path" for o in run.outputs)
    (Path(os.environ["HOME"]) / "Belgeler").mkdir()
    run.reply("~/Belgeler")
    run.expect("portal.pin_menu")
    pdf = Path(os.environ["HOME"]) / "Belgeler" / "PIN_Bilgisi.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600

    run.reply("2")  # Parolalarımı Sil
    run.expect("portal.confirm_delete")
    run.reply("evet")
    run.expect("portal.confirm_delete")
    run.reply("PAROLALARIMI SİL")
    assert any(o.message_id == "portal.pin_deleted_now" for o in run.outputs)
    run.reply("PIN / PUK Bilgisi")
    assert any(o.message_id == "portal.pin_deleted" for o in run.outputs)
    assert run.leaks([PIN_CANARY, WORD_CANARY, *run.sms_codes()]) == []


def test_lost_card_points_to_the_call_centre_and_suspends(
    journey: Callable[..., Journey], virtual_card: Callable[..., VirtualCard]
) -> None:
    run = journey("lost_card", virtual_card("akis"))
    assert "444 5 576" in run.outputs[0].text
    run.expect("lost_card.route")
    run.reply("1")  # suspend
    run.login()
    run.expect("lost_card.ask_which")
    run.reply("1")
    run.expect("lost_card.confirm_suspend")
    run.reply("evet")
    assert any(o.message_id == "lost_card.suspended" for o in run.outputs), run.trace()
    assert run.outputs[-1].outcome == "ok"


def test_without_a_portal_the_unlock_is_guided_and_checked_on_the_card(
    journey: Callable[..., Journey], locked_akis_card: VirtualCard
) -> None:
    run = journey("unlock", locked_akis_card, guided=True)
    run.expect("portal_guide.offer_printable")
    run.reply("hayır")  # no printable guide this time
    steps = 0
    while run.prompt.message_id == "portal_guide.show":
        steps += 1
        if steps == 3:
            run.reply("tamam")
        else:
            run.reply("yaptım")
    assert steps >= 10  # the login steps, then Kilit Çözme's own
    # The person pressed "Yeni PIN Üret" on the site, yet the card is still locked:
    run.expect("unlock.still_locked")
    locked_akis_card.state.pin = NEW_PIN  # what the CA's unblock does to the chip
    locked_akis_card.state.pin_tries_left = 3
    locked_akis_card.state.save(locked_akis_card.state_path)
    run.reinsert(locked_akis_card)  # and only once the agent has seen it back:
    run.reply("1")  # check again
    run.expect("unlock.ask_new_pin")
    run.reply(NEW_PIN)
    assert run.outputs[-1].outcome == "ok", run.trace()
    assert run.leaks([NEW_PIN]) == []

"""Signing and checking documents in the chat, on the virtual card, reply by reply.

The signed copies are judged by tools we did not write (pdfsig with vfychain, `openssl
cms -verify`); the card is pulled at the signature's APDU boundaries with the rig's fault
injection, and then no file may appear beside the original, which stays as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.demo.documents import write_sample_pdf
from assistant.demo.ocsp import OcspResponder
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard
from tests.integration.agent.conftest import Chat
from tests.integration.agent.test_lost_answers import leaks, pulled_and_back
from tests.integration.sign.conftest import ocsp  # noqa: F401  (a fixture: with nextUpdate)
from tests.integration.sign.tools import (
    nss_chain_good,
    nss_store,
    openssl_cms_verify,
    pdfsig_says_valid,
)

pytestmark = pytest.mark.integration

PIN = "731904"  # a canary too: it may reach no file and no output
VERIFY, GENERAL_AUTHENTICATE = 0x20, 0x87
SIGN, CHECK = "Belge imzala", "Bana gelen imzalı belge geçerli mi?"
ANYTHING_ELSE = "Başka bir konuda yardımcı olabilir miyim"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sign_until_pin(chat: Chat, document: Path, layout: str) -> str:
    """Menu → Belge imzala → the file → the layout → İMZALIYORUM; what was shown."""
    shown = chat.say(SIGN)
    assert "Hangi belgeyi imzalamak istiyorsunuz" in shown
    shown += chat.say(f"'{document}'")  # quoted, the way a terminal pastes a dropped file
    shown += chat.say(layout)
    assert "İMZALIYORUM yazınız" in shown
    assert "İmza için PIN'inizi yazınız" in chat.say("imzalıyorum")
    return shown


@pytest.fixture
def documents(tmp_path: Path) -> Path:
    folder = tmp_path / "Belgeler"
    folder.mkdir()
    write_sample_pdf(folder / "dilekce.pdf", pages=2)
    (folder / "rapor.txt").write_text("Rapor: NES Asistanı ile imzalandı.\n", encoding="utf-8")
    return folder


def test_a_pdf_is_signed_beside_the_original_and_pdfsig_agrees(
    *,
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[..., Chat],
    ocsp: Callable[[], OcspResponder],  # noqa: F811
    test_pki: TestPki,
    documents: Path,
    agent_env: Path,
    tmp_path: Path,
) -> None:
    card = virtual_card("akis", pin=PIN)
    ocsp()
    original = documents / "dilekce.pdf"
    before = digest(original)
    chat = agent_chat()
    shown = sign_until_pin(chat, original, "1")
    assert "dilekce.pdf" in shown and "2 sayfa" in shown
    assert "SHA-256: " + " ".join(before[i : i + 4] for i in range(0, 16, 4)) in shown
    assert "iptal edilmediğini doğruladı" in shown  # the CA's OCSP answer, before signing
    done = chat.say(PIN)
    assert "Belge imzalandı. İmzalı kopya: dilekce-imzali.pdf" in done, done
    assert "imza geçerli" in done and "PAdES-B-B" in done  # no TSA configured here

    signed = documents / "dilekce-imzali.pdf"
    assert sorted(p.name for p in documents.iterdir()) == [
        "dilekce-imzali.pdf",
        "dilekce.pdf",
        "rapor.txt",
    ]
    assert digest(original) == before
    nss = nss_store(tmp_path / "nss", test_pki.dir / "root.pem")
    assert pdfsig_says_valid(signed, nss)
    assert nss_chain_good(signed, nss, tmp_path / "dump")
    assert card.pin_tries_left == 3

    # The same copy, checked in the chat as a document someone sent.
    chat.say("evet")
    assert "Denetlenecek imzalı belgeyi gösterin" in chat.say(CHECK)
    verdict = chat.say(str(signed))
    assert "GEÇERLİ" in verdict and "Sonuç: belge geçerli" in verdict, verdict
    assert leaks(agent_env, chat, [PIN]) == []


@pytest.mark.parametrize(("layout", "suffix"), [("1", ".p7s"), ("2", ".imz")])
def test_any_file_gets_a_cades_signature_openssl_accepts(
    *,
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[..., Chat],
    test_pki: TestPki,
    documents: Path,
    layout: str,
    suffix: str,
) -> None:
    virtual_card("akis", pin=PIN)
    content = documents / "rapor.txt"
    before = content.read_bytes()
    chat = agent_chat()
    shown = sign_until_pin(chat, content, layout)
    assert "Bu dosya PDF değil; CAdES biçiminde" in shown and "37 B" in shown
    done = chat.say(PIN)
    assert f"İmzalı kopya: rapor.txt{suffix}" in done, done
    signature = documents / f"rapor.txt{suffix}"
    out = documents.parent / "content-out"
    checked = openssl_cms_verify(
        signature, test_pki.dir, None if suffix == ".imz" else content, out
    )
    assert checked.returncode == 0, checked.stderr
    assert out.read_bytes() == before == content.read_bytes()

    if suffix == ".p7s":  # alone, a detached signature makes the chat ask for its file
        alone = documents.parent / "Gelen" / signature.name
        alone.parent.mkdir()
        alone.write_bytes(signature.read_bytes())
        chat.say("evet")
        chat.say(CHECK)
        assert "ayrık bir imza" in chat.say(str(alone))
        verdict = chat.say(str(content))
        assert "İmzalanan dosya: rapor.txt" in verdict and "Sonuç:" in verdict, verdict


@pytest.mark.parametrize(
    ("ins", "point", "says"),
    [
        (VERIFY, "before", "PIN'iniz kartta denenirken"),
        (GENERAL_AUTHENTICATE, "before", "bağlantı imza hesaplanırken kesildi"),
        (GENERAL_AUTHENTICATE, "after", "bağlantı imza hesaplanırken kesildi"),
    ],
)
def test_card_pulled_mid_signature_writes_nothing(
    *,
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[..., Chat],
    documents: Path,
    agent_env: Path,
    ins: int,
    point: str,
    says: str,
) -> None:
    card = virtual_card("akis", pin=PIN)
    original = documents / "dilekce.pdf"
    before = digest(original)
    chat = agent_chat()
    sign_until_pin(chat, original, "1")
    card.cut_at(ins, point)
    answer = chat.say(PIN)
    pulled_and_back(card, chat)
    assert says in answer, answer
    assert "Hiçbir dosya yazılmadı ve asıl belgeniz olduğu gibi duruyor" in answer
    assert "Belge imzalandı" not in answer
    assert sorted(p.name for p in documents.iterdir()) == ["dilekce.pdf", "rapor.txt"]
    assert digest(original) == before
    assert card.pin_tries_left == 3  # a right PIN, counted or not, leaves all tries
    assert leaks(agent_env, chat, [PIN]) == []


def test_the_last_try_is_not_spent_on_a_signature_without_consent(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[..., Chat],
    documents: Path,
) -> None:
    card = virtual_card("akis", pin=PIN)
    chat = agent_chat()
    sign_until_pin(chat, documents / "dilekce.pdf", "1")
    assert "PIN yanlış" in chat.say("111222")
    assert "İmza için PIN'inizi yazınız" in chat.say("imzalıyorum")
    assert "PIN yanlış" in chat.say("333444")
    assert card.pin_tries_left == 1
    assert "İmza için PIN'inizi yazınız" in chat.say("imzalıyorum")
    warned = chat.say(PIN)  # the guard stops it: the last try needs its own consent
    assert "yalnızca 1 PIN deneme hakkınız kaldı" in warned, warned
    assert card.pin_tries_left == 1
    assert "SON DENEME yazınız" in chat.say("evet")
    assert "aynen yazmanız gerekiyor" in chat.say("evet")  # plain yes is no consent
    assert card.pin_tries_left == 1
    assert "dikkatle yazınız" in chat.say("son deneme")
    done = chat.say(PIN)
    assert "Belge imzalandı" in done, done
    assert card.pin_tries_left == 3
    assert (documents / "dilekce-imzali.pdf").exists()

"""'Sertifikam geçerli mi?' on the virtual card against a real OCSP responder."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assistant.demo.ocsp import OcspResponder
from assistant.demo.pki import TestPki
from assistant.demo.virtual_card import VirtualCard
from tests.integration.agent.conftest import Chat

pytestmark = pytest.mark.integration

CERTIFICATE_TOPIC = "2"


def test_a_good_certificate_is_reported_valid_with_its_facts(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    ocsp_responder: Callable[[], OcspResponder],
) -> None:
    card = virtual_card("akis")
    ocsp_responder()
    chat = agent_chat()
    answer = chat.say(CERTIFICATE_TOPIC)
    holder = card.certificate.subject.rfc4514_string()
    assert "Nitelikli Elektronik Sertifika" in answer
    assert "ECDSA P-384" in answer
    assert "Sertifikanız geçerli" in answer
    # The card also holds an authentication certificate (PIV slot 9A): it is explained.
    assert "Kartınızdaki 2 sertifikadan e-imza için yalnızca yukarıdaki kullanılır" in answer
    tckn = next(part for part in holder.split(",") if part.startswith("2.5.4.5="))[-11:]
    assert tckn not in answer and f"{tckn[:3]}******{tckn[-2:]}" in answer


def test_a_revoked_certificate_is_explained(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    ocsp_responder: Callable[[], OcspResponder],
    test_pki: TestPki,
) -> None:
    card = virtual_card("akis")
    test_pki.revoke(card.certificate)
    ocsp_responder()
    answer = agent_chat().say(CERTIFICATE_TOPIC)
    assert "iptal edilmiş" in answer and "444 5 576" in answer


def test_a_suspended_certificate_points_to_askidan_indir(
    virtual_card: Callable[..., VirtualCard],
    agent_chat: Callable[[], Chat],
    ocsp_responder: Callable[[], OcspResponder],
    test_pki: TestPki,
) -> None:
    card = virtual_card("akis")
    test_pki.revoke(card.certificate, reason="certificateHold")
    ocsp_responder()
    answer = agent_chat().say(CERTIFICATE_TOPIC)
    assert "askıya alınmış" in answer and '"Askıdan İndir"' in answer


def test_no_network_is_an_answer_not_an_error(
    virtual_card: Callable[..., VirtualCard], agent_chat: Callable[[], Chat]
) -> None:
    virtual_card("akis")  # no responder and no CRL server: nothing answers
    answer = agent_chat().say(CERTIFICATE_TOPIC)
    assert "ulaşamadım" in answer
    assert "Traceback" not in answer

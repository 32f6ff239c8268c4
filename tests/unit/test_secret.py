"""A secret cannot leak through the usual accidents: printing, logging, formatting, pickling."""

from __future__ import annotations

import logging
import pickle

import pytest

from assistant.secret import MASK, Secret, SecretKind, SecretWipedError

CANARY = "918273"


def test_secret_prints_as_a_mask_everywhere(caplog: pytest.LogCaptureFixture) -> None:
    pin = Secret(CANARY, SecretKind.PIN)
    rendered = [str(pin), repr(pin), f"{pin}", f"{pin!r}", "%s" % (pin,), str([pin]), str({1: pin})]  # noqa: UP031
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").warning("pin is %s", pin)
        logging.getLogger("test").warning("pin is %r", pin)
    for text in [*rendered, caplog.text]:
        assert CANARY not in text
    assert MASK in str(pin)


def test_secret_refuses_to_be_pickled() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(CANARY, SecretKind.PUK))


def test_wipe_zeroes_the_value_and_blocks_further_use() -> None:
    code = Secret(CANARY, SecretKind.SMS_CODE)
    assert code.reveal() == CANARY
    with code:
        pass
    assert code.wiped
    assert len(code) == 0
    with pytest.raises(SecretWipedError):
        code.reveal()


def test_matches_compares_values_not_identity() -> None:
    first = Secret("246810", SecretKind.PIN)
    assert first.matches(Secret("246810", SecretKind.PIN))
    assert not first.matches(Secret("246811", SecretKind.PIN))
    assert first != Secret("246810", SecretKind.PIN)

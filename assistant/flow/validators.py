"""Checks a reply must pass before a flow accepts it (`validate:` on ask and secret steps).

Each validator takes the typed text and gives back None (accepted) or a `Rejection`: a
message id plus Turkish source text the session shows before asking again. Validators
see a secret's clear value only for the duration of the call and never put it in the
rejection. They are plain functions, so a flow file can only name them, never define one.

Some answers identify a person (`PERSONAL`): a T.C. Kimlik No is kept by the session in
its masked form, in the context, the transcript and the saved state alike; the clear
value stays in memory only, for the portal call that needs it, like a secret.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from assistant.contact import is_email, normal_mobile
from assistant.flow.replies import parse_number, with_ascii_digits
from assistant.pki.tckn import is_valid_tckn, mask_tckn


@dataclass(frozen=True, slots=True)
class Rejection:
    message_id: str
    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    """Values for the text's placeholders (never the rejected value itself)."""


Validator = Callable[[str, Mapping[str, object]], Rejection | None]

# PINs people pick first and guessers try first, beyond repeated and sequential digits.
_COMMON_PINS = frozenset({"121212", "123123", "112233", "101010", "696969", "102030", "147258"})


def _digits(text: str) -> str:
    return with_ascii_digits(re.sub(r"[\s\-]", "", text))


def tc_kimlik(text: str, options: Mapping[str, object]) -> Rejection | None:
    """TC Kimlik No: 11 digits, first not 0, digits 10 and 11 are checksums."""
    value = _digits(text)
    rejection = Rejection(
        "validator.tc_kimlik", "Bu geçerli bir T.C. Kimlik No değil: 11 haneli numaranızı yazınız."
    )
    return None if is_valid_tckn(value) else rejection


def _is_sequential(pin: str) -> bool:
    steps = {int(b) - int(a) for a, b in itertools.pairwise(pin)}
    return steps in ({1}, {-1})


def pin(text: str, options: Mapping[str, object]) -> Rejection | None:
    """PIN policy: digits only, length in [min_length, max_length], not trivially guessable.

    Length bounds default to the 6 digits Kamu SM uses; flows pass the token's own
    bounds (`min_length`/`max_length`) when they know them.
    """
    min_length = _int_option(options, "min_length", 6)
    max_length = _int_option(options, "max_length", 8)
    if not text.isascii() or not text.isdigit():
        return Rejection("validator.pin.digits", "PIN yalnızca rakamlardan oluşmalıdır.")
    if not min_length <= len(text) <= max_length:
        bounds = {"min_length": min_length, "max_length": max_length}
        if min_length == max_length:
            return Rejection("validator.pin.length", "PIN {min_length} haneli olmalıdır.", bounds)
        return Rejection(
            "validator.pin.length_range",
            "PIN {min_length} ile {max_length} hane arasında olmalıdır.",
            bounds,
        )
    if len(set(text)) == 1 or _is_sequential(text) or text in _COMMON_PINS:
        return Rejection(
            "validator.pin.weak",
            "Bu PIN tahmin edilmesi çok kolay (ör. 000000, 123456). Başka bir PIN seçiniz.",
        )
    return None


def sms_code(text: str, options: Mapping[str, object]) -> Rejection | None:
    """SMS Onay Kodu: digits only (length 4–8 unless the flow says otherwise)."""
    length = _int_option(options, "length", 0)
    value = _digits(text)
    ok = value.isascii() and value.isdigit()
    ok = ok and (len(value) == length if length else 4 <= len(value) <= 8)
    if ok:
        return None
    return Rejection(
        "validator.sms_code", "SMS Onay Kodu yalnızca rakamlardan oluşur; SMS'teki kodu yazınız."
    )


def mobile(text: str, options: Mapping[str, object]) -> Rejection | None:
    """Turkish mobile number: 5XX XXX XX XX, with optional 0 or +90 in front."""
    if normal_mobile(text) is not None:
        return None
    return Rejection(
        "validator.mobile", "Cep telefonu numarasını 05XX XXX XX XX biçiminde yazınız."
    )


def email(text: str, options: Mapping[str, object]) -> Rejection | None:
    """A plausible e-mail address (one @, a dot in the domain); delivery is not checked."""
    if is_email(text):
        return None
    return Rejection("validator.email", "Bu bir e-posta adresine benzemiyor: ad@alan.tr gibi.")


def captcha(text: str, options: Mapping[str, object]) -> Rejection | None:
    """The portal's Resimdeki Yazı: a few letters and digits (spaces ignored). Anything
    else is not what the picture shows, and may be a security word typed one prompt early."""
    value = "".join(text.split())
    if value.isascii() and value.isalnum() and 3 <= len(value) <= 10:
        return None
    return Rejection(
        "validator.captcha",
        "Resimdeki yazı yalnızca harf ve rakamlardan oluşur; resimde gördüğünüz karakterleri "
        "yazınız.",
    )


def file_path(text: str, options: Mapping[str, object]) -> Rejection | None:
    """A file on this machine, typed or dropped: it has a folder in it or a file name
    extension (`~/Belgeler/dilekce.pdf`, `'/tmp/a b.pdf'`, `rapor.docx`). A bare word is
    refused: it is more often a secret typed at the wrong prompt than a file name, and
    a refused reply is never kept."""
    value = text.strip().strip("'\"")
    name = value.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if ("/" in value.replace("\\", "/") and name) or (
        dot and stem and extension.isalnum() and not extension.isdigit() and len(extension) <= 5
    ):
        return None
    return Rejection(
        "validator.file_path",
        "Bu bir dosya yoluna benzemiyor: dosyanın yolunu, ~/Belgeler/dilekce.pdf gibi, "
        "uzantısıyla birlikte yazınız.",
    )


def number(text: str, options: Mapping[str, object]) -> Rejection | None:
    """A whole number, optionally within [min, max] (used by `ask` with `type: number`)."""
    value = parse_number(text)
    low = options.get("min")
    high = options.get("max")
    if value is None:
        return Rejection("validator.number", "Lütfen bir sayı yazınız.")
    if (isinstance(low, int) and value < low) or (isinstance(high, int) and value > high):
        return Rejection("validator.number.range", "Bu sayı beklenen aralıkta değil.")
    return None


def _int_option(options: Mapping[str, object], key: str, default: int) -> int:
    value = options.get(key, default)
    return value if isinstance(value, int) else default


@dataclass(frozen=True, slots=True)
class Personal:
    """How an accepted answer that identifies a person is held: `clear` is the value the
    portal needs (in memory only), `masked` what may be stored and shown."""

    clear: Callable[[str], str]
    masked: Callable[[str], str]


PERSONAL: dict[str, Personal] = {"tc_kimlik": Personal(_digits, lambda v: mask_tckn(_digits(v)))}

VALIDATORS: dict[str, Validator] = {
    "tc_kimlik": tc_kimlik,
    "pin": pin,
    "sms_code": sms_code,
    "mobile": mobile,
    "email": email,
    "captcha": captcha,
    "file_path": file_path,
    "number": number,
}

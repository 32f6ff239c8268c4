"""ATR → card profile: the safety settings a card gets depend on this match."""

from __future__ import annotations

from functools import reduce
from pathlib import Path

import pytest

from assistant.card.atr import Atr, parse_hex
from assistant.card.profiles import MatchKind, ProfileError, ProfileSet, PukManager

# pcsc-tools' smartcard_list.txt entries quoted in DOMAIN.md.
AKIS_ATRS = dict(
    [
        (
            "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 12 31 80 73 B3 A1 80 EA",
            "AKiS v1.2 on nxp chip",
        ),
        (
            "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 52 31 80 73 B3 A1 80 AA",
            "AKiS v1.2.1 on infineon chip",
        ),
        (
            "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 53 31 80 73 B3 A1 80 AB",
            "AKiS v1.2.1 on nxp chip",
        ),
        (
            "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 92 31 80 73 B3 A1 80 6A",
            "AKiS v1.2.2 on infineon chip",
        ),
        (
            "3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 93 31 80 73 B3 A1 80 6B",
            "AKiS v1.3 on infineon chip",
        ),
        (
            "3B 9F 15 81 31 FE 45 80 67 55 45 4B 41 45 12 21 31 80 73 B3 A1 80 5A",
            "AKIS (eID)",
        ),
    ]
)
TCKK_ATR = "3B 9F 97 81 31 FE 45 80 65 54 43 12 21 08 31 C0 73 F6 21 80 81 05 90"
PIV_ATR = "3B 8B 80 01 80 F9 A0 00 00 03 08 00 00 10 00 C8"


def with_check_byte(body: bytes) -> bytes:
    """Append the T=1 TCK so a made-up ATR is well formed."""
    return body + bytes([reduce(lambda a, b: a ^ b, body[1:], 0)])


@pytest.fixture(scope="module")
def profiles() -> ProfileSet:
    return ProfileSet.load()


@pytest.mark.parametrize(("atr", "description"), AKIS_ATRS.items())
def test_every_listed_akis_atr_is_an_exact_akis_match(
    profiles: ProfileSet, atr: str, description: str
) -> None:
    match = profiles.match(parse_hex(atr))
    assert match.profile.id == "akis"
    assert match.kind is MatchKind.EXACT
    assert match.description == description


def test_an_unlisted_akis_version_is_recognised_by_its_historical_bytes(
    profiles: ProfileSet,
) -> None:
    # A future AKİS version byte (12 99) that no list knows yet.
    body = parse_hex("3B 9F 96 81 31 FE 45 80 67 55 45 4B 41 45 12 99 31 80 73 B3 A1 80")
    match = profiles.match(with_check_byte(body))
    assert match.profile.id == "akis"
    assert match.kind is MatchKind.PATTERN
    assert b"UEKAE" in match.atr.historical


def test_tckk_matches_both_exactly_and_by_pattern(profiles: ProfileSet) -> None:
    assert profiles.match(parse_hex(TCKK_ATR)).profile.id == "tckk"
    body = parse_hex("3B 9F 97 81 31 FE 45 80 65 54 43 D9 23 08 31 C0 73 F6 21 80 81 05")
    match = profiles.match(with_check_byte(body))
    assert (match.profile.id, match.kind) == ("tckk", MatchKind.PATTERN)


def test_piv_aid_in_historical_bytes_gives_the_piv_profile(profiles: ProfileSet) -> None:
    match = profiles.match(parse_hex(PIV_ATR))
    assert (match.profile.id, match.kind) == ("piv", MatchKind.PATTERN)


@pytest.mark.parametrize(
    "atr",
    [
        "3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A",  # a PC/SC storage card
        "3B 9F 96 81 31 FE 45 80 67 55 45",  # AKİS start, but cut short (half inserted)
        "",
        "12 34",
    ],
)
def test_anything_else_falls_back_to_the_unknown_profile(profiles: ProfileSet, atr: str) -> None:
    match = profiles.match(parse_hex(atr))
    assert (match.profile.id, match.kind) == ("unknown", MatchKind.FALLBACK)


def test_truncated_atr_is_reported_incomplete_not_raised() -> None:
    atr = Atr.parse(parse_hex("3B 9F 96 81 31 FE 45 80 67 55 45"))
    assert not atr.complete


def test_checksum_is_checked_on_t1_atrs() -> None:
    good = parse_hex(next(iter(AKIS_ATRS)))
    assert Atr.parse(good).checksum_ok is True
    assert Atr.parse(good[:-1] + b"\x00").checksum_ok is False


def test_puk_may_be_used_only_where_the_holder_manages_it(profiles: ProfileSet) -> None:
    assert profiles.get("akis").puk_manager is PukManager.CA
    assert not profiles.get("akis").puk_allowed
    assert not profiles.get("tckk").puk_allowed
    assert not profiles.get("unknown").puk_allowed
    assert profiles.get("piv").puk_allowed


def test_profiles_name_modules_for_every_platform(profiles: ProfileSet) -> None:
    for profile in profiles.profiles:
        assert set(profile.modules) == {"linux", "windows", "darwin"}, profile.id
    assert "/usr/lib/libakisp11.so" in profiles.get("akis").modules["linux"]
    assert any("tckkp11" in path for path in profiles.get("tckk").modules["windows"])


MINIMAL = """
profiles:
  - id: only
    name: Only
    family: x
    fallback: true
    modules: {linux: [/nonexistent/lib.so]}
    install: []
    pin: {min_length: 4, max_length: 8, digits_only: true}
    puk_manager: user
    retry_probe: null
    unblock_style: so_login_init_pin
"""


def load_text(tmp_path: Path, text: str) -> ProfileSet:
    path = tmp_path / "profiles.yaml"
    path.write_text(text, encoding="utf-8")
    return ProfileSet.load(path)


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    assert load_text(tmp_path, MINIMAL).get("only").pin.max_length == 8


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("puk_manager: user", "puk_manager: user\n    puk_managr: ca"), "unknown keys"),
        (("    retry_probe: null\n", ""), "missing"),
        (("puk_manager: user", "puk_manager: nobody"), "nobody"),
        (("unblock_style: so_login_init_pin", "unblock_style: guess"), "guess"),
        (("fallback: true", "fallback: false"), "fallback"),
        (("family: x", "family: x\n    atrs: [{atr: 3B ZZ, description: bad}]"), "only"),
        (("family: x", "family: x\n    historical: ['(']"), "only"),
        (("modules: {linux: [/nonexistent/lib.so]}", "modules: {linux: [${X}]}"), "YAML"),
    ],
)
def test_loading_is_strict(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        load_text(tmp_path, MINIMAL.replace(*change))


def test_an_atr_claimed_by_two_profiles_is_refused(tmp_path: Path) -> None:
    second = MINIMAL.split("profiles:\n")[1].replace("id: only", "id: two")
    second = second.replace("fallback: true", "fallback: false")
    atr_line = "family: x\n    atrs: [{atr: 3B 00, description: d}]"
    text = MINIMAL.replace("family: x", atr_line) + second.replace("family: x", atr_line)
    with pytest.raises(ProfileError, match="twice"):
        load_text(tmp_path, text)

"""Check logic over real data: reader names, ATRs, retry flags; the order and the skips."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from assistant.card.profiles import PinPolicy
from assistant.card.retries import (
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    CKF_USER_PIN_TO_BE_CHANGED,
    RetryState,
)
from assistant.card.service import CardPicture
from assistant.card.service import CardPresence as SeenCard
from assistant.card.token import TokenStatus
from assistant.doctor import checks
from assistant.doctor.checks import Doctor, known_reader_model
from assistant.doctor.clock import ClockVerdict
from assistant.doctor.findings import Finding, Status, exit_code
from assistant.doctor.texts import DOCTOR_TEXTS
from assistant.pki.facts import ValidityState
from assistant.pki.status import RevocationStatus

AKIS_ATR = bytes.fromhex("3B9F968131FE45806755454B41451293318073B3A1806B")
PIV_ATR = bytes.fromhex("3B8B800180F9A00000030800001000C8")


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("ACS ACR 38U-CCID 00 00", "ACS ACR38T"),
        ("ACS ACR38T 00 00", "ACS ACR38T"),
        ("ACS ACR39U ICC Reader 00 00", "ACS ACR39"),
        ("Virtual PCD R0 00 00", None),
        ("Gemalto PC Twin Reader 00 00", None),
    ],
)
def test_known_reader_models(name: str, model: str | None) -> None:
    assert known_reader_model(name) == model


def doctor_seeing(readers: list[str], cards: list[SeenCard]) -> Doctor:
    """A doctor after its pcsc check saw this picture (the card service's own rule picks
    the card: the first answering one, else a mute one)."""
    doctor = Doctor(environ={})
    doctor.readers = readers
    doctor.card = CardPicture(True, tuple(readers), tuple(cards)).card
    return doctor


def test_readers_prefer_the_one_with_an_answering_card() -> None:
    readers = ["ACS ACR39U ICC Reader 00 00", "ACS ACR 38U-CCID 01 00"]
    doctor = doctor_seeing(
        readers, [SeenCard(readers[0], b"", mute=True), SeenCard(readers[1], AKIS_ATR, False)]
    )
    finding = doctor.check_readers()
    assert (finding.result, finding.facts["reader"]) == ("known_model", readers[1])
    assert finding.facts["model"] == "ACS ACR38T" and finding.facts["count"] == 2
    card = doctor.check_card()
    assert (card.result, card.status) == ("recognised", Status.OK)
    assert card.facts["profile"] == "akis" and card.facts["match"] == "exact"
    assert doctor.profile is not None and doctor.profile.id == "akis"


def test_no_reader_no_card_mute_card_unknown_card() -> None:
    assert doctor_seeing([], []).check_readers().fix == "plug_reader"
    empty = doctor_seeing(["R 00 00"], [])
    empty.check_readers()
    assert (empty.check_card().result, empty.check_card().fix) == ("absent", "insert_card")
    mute = doctor_seeing(["R 00 00"], [SeenCard("R 00 00", b"", mute=True)])
    mute.check_readers()
    assert (mute.check_card().result, mute.check_card().fix) == ("mute", "reinsert_card")
    other = doctor_seeing(["R 00 00"], [SeenCard("R 00 00", bytes.fromhex("3B0211"), False)])
    other.check_readers()
    finding = other.check_card()
    assert (finding.result, finding.status, finding.fix) == ("unknown", Status.WARN, "unknown_card")


def token_status(flags: int, tries_left: int | None = None) -> TokenStatus:
    pin = RetryState.user_pin_from_flags(flags)
    if tries_left is not None:
        pin = pin.with_exact(tries_left)
    return TokenStatus(
        label="AKIS",
        serial="1",
        manufacturer="TUBITAK",
        model="AKIS",
        min_pin_length=6,
        max_pin_length=8,
        pin=pin,
        puk=RetryState.so_pin_from_flags(0),
        protected_auth_path=False,
        pin_initialized=True,
        login_required=True,
        new_pin_policy=PinPolicy(6, 8, True),
    )


@pytest.mark.parametrize(
    ("atr", "flags", "tries", "expected"),
    [
        (AKIS_ATR, 0, None, ("ok_no_count", Status.OK, None)),
        (PIV_ATR, 0, 3, ("ok", Status.OK, None)),
        (AKIS_ATR, CKF_USER_PIN_FINAL_TRY, None, ("final_try", Status.WARN, "final_try")),
        (PIV_ATR, 0, 1, ("final_try", Status.WARN, "final_try")),
        (AKIS_ATR, CKF_USER_PIN_TO_BE_CHANGED, None, ("must_change", Status.WARN, "change_pin")),
        # Kamu SM manages the PUK: the remedy is Kilit Çözme, never the PUK.
        (AKIS_ATR, CKF_USER_PIN_LOCKED, None, ("locked", Status.FAIL, "unlock_pin")),
        (PIV_ATR, 0, 0, ("locked", Status.FAIL, "unblock_with_puk")),
    ],
)
def test_pin_state(
    atr: bytes, flags: int, tries: int | None, expected: tuple[str, Status, str | None]
) -> None:
    doctor = doctor_seeing(["R 00 00"], [SeenCard("R 00 00", atr, False)])
    doctor.check_readers()
    doctor.check_card()
    doctor.token_status = token_status(flags, tries)
    finding = doctor.check_pin()
    assert (finding.result, finding.status, finding.fix) == expected
    assert finding.facts["tries_left"] == (0 if flags & CKF_USER_PIN_LOCKED else tries)


class ScriptedDoctor(Doctor):
    """The real ordering and skip rules, with check results given by the test."""

    def __init__(self, results: dict[str, Status]) -> None:
        super().__init__(environ={})
        self.results = results
        self.ran: list[str] = []

    @property
    def checks(self) -> tuple[tuple[str, checks.Callable[[], Finding]], ...]:
        def make(name: str) -> checks.Callable[[], Finding]:
            def run() -> Finding:
                self.ran.append(name)
                return Finding(name, "x", self.results.get(name, Status.OK))

            return run

        return tuple((name, make(name)) for name, _ in super().checks)


def test_a_failure_skips_what_depends_on_it_and_names_the_first_cause() -> None:
    doctor = ScriptedDoctor({"pcsc": Status.FAIL})
    findings = {f.check: f for f in doctor.run().findings}
    assert list(findings) == [
        "system", "pcsc", "readers", "card", "module", "token",
        "certificate", "revocation", "pin", "clock",
    ]  # fmt: skip
    assert doctor.ran == ["system", "pcsc", "module", "clock"]
    for name in ("readers", "card", "token", "certificate", "revocation", "pin"):
        assert findings[name].status is Status.SKIP
        assert findings[name].facts == {"after": "pcsc"}
    assert exit_code(findings.values()) == 2


def test_exit_codes() -> None:
    assert exit_code(ScriptedDoctor({}).run().findings) == 0
    warned = ScriptedDoctor({"revocation": Status.WARN}).run().findings
    assert exit_code(warned) == 1
    module_broken = ScriptedDoctor({"module": Status.FAIL})
    findings = {f.check: f for f in module_broken.run().findings}
    assert findings["token"].facts == {"after": "module"}
    assert findings["certificate"].facts == {"after": "module"}
    assert exit_code(findings.values()) == 2


def _finding_ids_in_checks() -> set[str]:
    """Every constant (check, result) and fix id a Finding(...) in checks.py names."""
    tree = ast.parse(Path(checks.__file__).read_text(encoding="utf-8"))
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Finding":
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            named = len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str)
            if named and args[1] != "skipped":
                ids.add(f"doctor.{args[0]}.{args[1]}")
            if len(args) >= 5 and isinstance(args[4], str):
                ids.add(f"doctor.fix.{args[4]}")
    return ids | {f"doctor.fix.{fix}" for fix in FIXES_CHOSEN_OUTSIDE_FINDING_CALLS}


FIXES_CHOSEN_OUTSIDE_FINDING_CALLS = (
    "install_pcsc", "start_pcsc_linux", "start_pcsc_windows", "start_pcsc_darwin",
    "revoked", "unsuspend", "check_network", "try_later", "set_clock", "contact_ca",
    "renew_certificate", "wait_or_clock", "unlock_pin", "unblock_with_puk",
    "install_middleware", "module_setting",
)  # fmt: skip


def test_every_result_and_fix_the_checks_can_produce_has_a_text() -> None:
    ids = _finding_ids_in_checks()
    for result, fix in checks._TOKEN_FAILURES.values():
        ids |= {f"doctor.token.{result}", f"doctor.certificate.{result}", f"doctor.fix.{fix}"}
    ids |= {f"doctor.certificate.{state.value}" for state in ValidityState}
    ids |= {f"doctor.revocation.{status.value}" for status in RevocationStatus}
    ids |= {f"doctor.clock.{v.value}" for v in ClockVerdict}
    ids |= {f"doctor.title.{name}" for name, _ in Doctor(environ={}).checks}
    assert len(ids) > 60
    assert sorted(ids - set(DOCTOR_TEXTS)) == []

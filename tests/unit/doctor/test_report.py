"""The support report: worded from findings only, canaries never leak, files are private."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import pytest

from assistant.doctor.checks import DoctorRun
from assistant.doctor.findings import FactValue, Finding, Status
from assistant.doctor.report import (
    Report,
    build_report,
    redact,
    redact_value,
    report_paths,
    to_json,
    to_text,
    write_report,
)
from assistant.doctor.texts import DOCTOR_TEXTS, word
from assistant.pki.tckn import mask_tckn

CANARY_TCKN = "10000000146"  # passes the TC Kimlik No checksum
CANARY_PIN = "864209"
CANARY = f"Ayşe {CANARY_TCKN} / PIN {CANARY_PIN}"
CERT_DER = b"0\x82\x01\x00" + b"\x01" * 64

# One finding per result that has text facts, each text fact set to the canary.
FINDINGS = [
    Finding("system", "ok", Status.OK, {"os": CANARY, "os_release": CANARY, "machine": CANARY,
            "process_architecture": CANARY, "process_bits": 64, "python": CANARY}),
    Finding("pcsc", "not_running", Status.FAIL, {"error": CANARY}, "start_pcsc_linux"),
    Finding("readers", "known_model", Status.OK,
            {"count": 1, "reader": CANARY, "model": CANARY}),
    Finding("card", "recognised", Status.OK,
            {"reader": CANARY, "atr": CANARY, "profile": CANARY, "profile_name": CANARY,
             "description": CANARY, "match": CANARY}),
    Finding("module", "wrong_architecture", Status.FAIL,
            {"path": CANARY, "module_architecture": CANARY, "module_bits": 32,
             "process_architecture": CANARY, "process_bits": 64}, "match_architecture"),
    Finding("module", "missing", Status.FAIL,
            {"expected": CANARY, "source": CANARY, "package": CANARY, "url": CANARY},
            "install_middleware"),
    Finding("token", "visible", Status.OK,
            {"label": CANARY, "manufacturer": CANARY, "model": CANARY}),
    Finding("certificate", "renewal_due", Status.WARN,
            {"holder": CANARY, "tckn": CANARY, "issuer": CANARY, "serial": CANARY,
             "key": CANARY, "qualified": True, "not_before": CANARY, "not_after": CANARY,
             "days_left": 30, "certificates": 2}, "renew_certificate"),
    Finding("revocation", "no_issuer", Status.WARN,
            {"chain": CANARY, "trust_dir": CANARY}, "add_ca_certificates"),
    Finding("revocation", "revoked", Status.FAIL,
            {"chain": CANARY, "source": CANARY, "revoked_at": CANARY, "problem": CANARY},
            "revoked"),
    Finding("pin", "locked", Status.FAIL,
            {"tries_left": 0, "source": CANARY, "pin_pad": False}, "unlock_pin"),
    Finding("clock", "before_certificate", Status.WARN,
            {"now": CANARY, "not_before": CANARY, "skew_minutes": 3}, "set_clock"),
    Finding("token", "skipped", Status.SKIP, {"after": "pcsc"}),
]  # fmt: skip
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


def report(include_certificate: bool = False) -> Report:
    return build_report(
        DoctorRun(list(FINDINGS), CERT_DER), include_certificate=include_certificate, now=NOW
    )


def test_redaction_masks_tckn_and_pin_like_numbers_but_keeps_dates() -> None:
    assert redact_value(f"x {CANARY_TCKN} y") == f"x {mask_tckn(CANARY_TCKN)} y"
    assert redact_value(f"PIN {CANARY_PIN}") == "PIN ••••••"
    assert redact_value("12345678901") == "•" * 11  # 11 digits, not a TC Kimlik No
    assert redact_value("2027-03-01") == "2027-03-01"
    assert redact_value("2026-11-25T14:28+00:00") == "2026-11-25T14:28+00:00"
    assert redact_value("2026-99-99") == "••••-99-99"  # looks like a date, is not one
    assert redact_value("ACS ACR 38U-CCID 00 00") == "ACS ACR 38U-CCID 00 00"
    assert redact_value("3B 9F 96 81") == "3B 9F 96 81"
    assert redact_value(3650) == 3650 and redact_value(None) is None


def test_canaries_never_reach_the_text_or_json_report(tmp_path: Path) -> None:
    built = build_report(DoctorRun(list(FINDINGS), CERT_DER), now=NOW)
    text, document = to_text(built), to_json(built)
    written = write_report(built, tmp_path / "rapor.txt")
    files = [p.read_text(encoding="utf-8") for p in written]
    for output in (text, document, to_text(built, details=False), *files):
        assert CANARY_TCKN not in output
        assert CANARY_PIN not in output
        assert mask_tckn(CANARY_TCKN) in output
    assert "BEGIN CERTIFICATE" not in text and "certificate_pem" not in document


def test_certificate_only_on_request() -> None:
    built = build_report(DoctorRun(list(FINDINGS), CERT_DER), include_certificate=True, now=NOW)
    assert "-----BEGIN CERTIFICATE-----" in to_text(built)
    pem = json.loads(to_json(built))["certificate_pem"]
    assert pem.startswith("-----BEGIN CERTIFICATE-----\nMIIBAAEBAQEB")


def test_json_is_parseable_with_ids_status_and_worded_texts() -> None:
    document = json.loads(to_json(build_report(DoctorRun(list(FINDINGS)), now=NOW)))
    assert document["exit_code"] == 2 and document["schema"] == 1
    assert document["created"] == "2026-11-25T12:00:00+00:00"
    locked = next(f for f in document["findings"] if f["check"] == "pin")
    assert (locked["result"], locked["status"], locked["fix"]) == ("locked", "fail", "unlock_pin")
    assert "Kilit Çözme" in locked["fix_text"]
    assert "PUK'u kullanmayın" in locked["fix_text"]
    skipped = document["findings"][-1]
    assert skipped["message"] == (
        "Denetlenmedi: önce «Akıllı kart hizmeti (PC/SC)» adımındaki sorun giderilmeli."
    )


def test_findings_with_unknown_texts_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown doctor texts"):
        redact(Finding("pin", "made_up", Status.WARN))
    with pytest.raises(ValueError, match=r"doctor\.fix\.nope"):
        redact(Finding("pin", "ok", Status.OK, {}, "nope"))


def test_translator_is_used_for_every_text() -> None:
    seen: list[tuple[str, str]] = []

    def translate(message_id: str, source: str, language: str) -> str:
        seen.append((message_id, language))
        return f"<{language}:{message_id}>"

    worded = word(FINDINGS[1], "en", translate)
    assert worded.message == "<en:doctor.pcsc.not_running>"
    assert worded.fix == "<en:doctor.fix.start_pcsc_linux>"
    assert {language for _, language in seen} == {"en"}


def test_placeholders_are_filled_from_facts() -> None:
    facts: dict[str, FactValue] = {
        "holder": "Ayşe Öztürk",
        "not_after": "2029-11-24",
        "days_left": 1095,
    }
    finding = Finding("certificate", "valid", Status.OK, facts)
    assert word(finding).message == (
        "İmza sertifikası geçerli: Ayşe Öztürk, 2029-11-24 tarihine kadar (1095 gün)."
    )
    assert all(text.strip() == text for text in DOCTOR_TEXTS.values())


def test_report_files_are_private_and_paired(tmp_path: Path) -> None:
    assert report_paths(tmp_path / "r.txt") == (tmp_path / "r.txt", tmp_path / "r.txt.json")
    assert report_paths(tmp_path / "r.json") == (tmp_path / "r.txt", tmp_path / "r.json")
    text_path, json_path = write_report(report(), tmp_path / "destek")
    for path in (text_path, json_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(json_path.read_text(encoding="utf-8"))["findings"]
    assert text_path.read_text(encoding="utf-8").startswith("NES Asistanı sorun giderme raporu")

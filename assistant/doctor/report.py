"""The support report (`nes-asistan doctor --report FILE`), redacted by construction.

It is built from `Finding`s only: ids that must be known doctor texts, and plain facts.
Every text fact goes through `redact_value` before it is worded or serialised, so even a
fact that should never have held one cannot carry a TC Kimlik No (masked as 123******50)
or a PIN-like number (any run of four or more digits is masked) into the file; dates are
the one exception, and only when they really parse as ISO dates. The doctor never asks
for a secret in the first place. The signing certificate itself (which holds the full
TC Kimlik No) is added only when the person asks for it with `--include-certificate`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import os
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from assistant import __version__
from assistant.doctor.checks import DoctorRun
from assistant.doctor.findings import FactValue, Finding, exit_code
from assistant.doctor.texts import DOCTOR_TEXTS, say, word
from assistant.i18n.catalog import Translate
from assistant.pki.tckn import is_valid_tckn, mask_tckn

SCHEMA = 1
_ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
_DIGIT_RUN = re.compile(r"\d{4,}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?)?")
_MASK = "•"
_SUMMARY = ("doctor.report.summary_ok", "doctor.report.summary_warn", "doctor.report.summary_fail")


def redact_value(value: FactValue) -> FactValue:
    """TC Kimlik No → masked form; other runs of 4+ digits (PIN-like) → •••• ."""
    if not isinstance(value, str) or _is_iso_date(value):
        return value
    masked = _ELEVEN_DIGITS.sub(lambda m: mask_tckn(m[0]) if is_valid_tckn(m[0]) else m[0], value)
    return _DIGIT_RUN.sub(lambda m: _MASK * len(m[0]), masked)


def _is_iso_date(value: str) -> bool:
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def redact(finding: Finding) -> Finding:
    """The finding with every fact redacted; its ids must be known doctor texts."""
    ids = [finding.text_id, f"doctor.title.{finding.check}"]
    if finding.fix is not None:
        ids.append(f"doctor.fix.{finding.fix}")
    unknown = [i for i in ids if i not in DOCTOR_TEXTS]
    if unknown:
        raise ValueError(f"finding refers to unknown doctor texts: {unknown}")
    facts = {key: redact_value(value) for key, value in finding.facts.items()}
    return dataclasses.replace(finding, facts=facts)


@dataclass(frozen=True)
class Report:
    created: str
    language: str
    findings: tuple[Finding, ...]
    """Already redacted."""
    translate: Translate | None
    certificate_pem: str | None = None

    @property
    def exit_code(self) -> int:
        return exit_code(self.findings)


def build_report(
    run: DoctorRun,
    *,
    language: str = "tr",
    translate: Translate | None = None,
    include_certificate: bool = False,
    now: dt.datetime | None = None,
) -> Report:
    created = (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds")
    pem = None
    if include_certificate and run.certificate_der is not None:
        body = "\n".join(textwrap.wrap(base64.b64encode(run.certificate_der).decode("ascii"), 64))
        pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
    findings = tuple(redact(f) for f in run.findings)
    return Report(created, language, findings, translate, pem)


def to_text(report: Report, *, details: bool = True) -> str:
    """The human-readable report (and, with details=False, the console output)."""

    def t(message_id: str, **params: object) -> str:
        return say(message_id, report.language, report.translate, params)

    lines = [
        t("doctor.report.title"),
        t("doctor.report.created", created=report.created, version=__version__),
        t(_SUMMARY[report.exit_code]),
        "",
    ]
    for finding in report.findings:
        worded = word(finding, report.language, report.translate)
        lines.append(f"[{worded.status}] {worded.title}")
        lines.append(f"    {worded.message}")
        if worded.fix:
            lines.append(f"    {t('doctor.report.fix')} {worded.fix}")
        if details and finding.facts:
            facts = ", ".join(f"{k}={_plain(v)}" for k, v in finding.facts.items())
            lines.append(f"    {t('doctor.report.details')} {facts}")
    if report.certificate_pem is not None:
        lines += ["", t("doctor.report.certificate"), report.certificate_pem.rstrip("\n")]
    return "\n".join(lines) + "\n"


def to_json(report: Report) -> str:
    findings = []
    for finding in report.findings:
        worded = word(finding, report.language, report.translate)
        findings.append(
            {
                "check": finding.check,
                "result": finding.result,
                "status": finding.status.value,
                "facts": dict(finding.facts),
                "fix": finding.fix,
                "title": worded.title,
                "message": worded.message,
                "fix_text": worded.fix,
            }
        )
    document: dict[str, object] = {
        "schema": SCHEMA,
        "tool": "nes-asistan doctor",
        "version": __version__,
        "created": report.created,
        "language": report.language,
        "exit_code": report.exit_code,
        "findings": findings,
    }
    if report.certificate_pem is not None:
        document["certificate_pem"] = report.certificate_pem
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def report_paths(target: Path) -> tuple[Path, Path]:
    """(text, JSON): FILE and FILE.json, or FILE.txt and FILE when FILE ends in .json."""
    if target.suffix.lower() == ".json":
        return target.with_suffix(".txt"), target
    return target, target.with_name(target.name + ".json")


def write_report(report: Report, target: Path) -> tuple[Path, Path]:
    """Both forms, readable by the owner only (the report names the card holder)."""
    text_path, json_path = report_paths(target)
    for path, content in ((text_path, to_text(report)), (json_path, to_json(report))):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
    return text_path, json_path


def _plain(value: FactValue) -> str:
    return "-" if value is None else str(value)

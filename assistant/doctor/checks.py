"""The doctor's checks, in the order a helpdesk would ask: machine, service, reader, card,
middleware, token, certificate, revocation, PIN, clock.

Each check returns one typed `Finding` (facts, no sentences) and may leave what it learned
for the later ones (the reader with the card, the token, the signing certificate). The
card side comes from the agent's `CardService`, the one view of readers, cards and the
token: a running agent's own (its monitor's picture, its warm token, its certificates
read once per insertion) or, with no agent, a fresh one started for this run, so both
ways apply the same rules and give the same report. A
check whose prerequisite failed is not run: it is reported as skipped, naming the first
failure, so the person fixes the cause and not its echoes. Nothing here asks for or
sends a PIN: the PIN state comes from the token flags and, where the card profile allows,
VERIFY without data, neither of which spends a try.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.card.binary import bits, read_binary
from assistant.card.discovery import (
    CandidateState,
    ModuleSearch,
    ModuleSource,
    find_module,
    interpreter_architecture,
)
from assistant.card.outcomes import OutcomeKind
from assistant.card.profiles import CardProfile, MatchKind, ProfileSet, PukManager
from assistant.doctor.clock import ClockVerdict, http_date, judge_clock
from assistant.doctor.findings import FactValue, Finding, Status

if TYPE_CHECKING:
    import httpx
    from cryptography import x509

    from assistant.card.service import CardPresence, CardService
    from assistant.card.token import TokenSession, TokenStatus
    from assistant.pki.facts import CertificateFacts
    from assistant.pki.status import RevocationResult

Facts = dict[str, FactValue]

DEFAULT_PROFILE = "akis"
"""Whose middleware to look for when no card is in: the card Kamu SM hands out."""
KNOWN_READERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Kamu SM's "USB-Beyaz" ACR38T-D1 shows up as "ACS ACR 38U-CCID" or "ACR38T".
    ("ACS ACR38T", re.compile(r"\bACR\s*38", re.IGNORECASE)),
    ("ACS ACR39", re.compile(r"\bACR\s*39", re.IGNORECASE)),
)
PCSC_WAIT_SECONDS = 1.0
"""How long to wait for the first picture; only a machine without readers waits it out."""

REQUIRES: Mapping[str, tuple[str, ...]] = {
    "readers": ("pcsc",),
    "card": ("readers",),
    "token": ("card", "module"),
    "certificate": ("token",),
    "revocation": ("certificate",),
    "pin": ("token",),
}
"""Check → the checks that must not have failed for it to run."""


@dataclass
class DoctorRun:
    findings: list[Finding] = field(default_factory=list)
    certificate_der: bytes | None = None
    """The signing certificate, for `--include-certificate` only; never in a Finding."""


class Doctor:
    """Runs the checks once. `card` is a running agent's card service (None: one is
    started for this run and stopped after it). `environ`, `now`, `profiles` and
    `client` are injectable so tests drive the same code against the rig, a frozen clock
    or a local responder."""

    def __init__(
        self,
        *,
        card: CardService | None = None,
        environ: Mapping[str, str] | None = None,
        now: Callable[[], dt.datetime] | None = None,
        profiles: ProfileSet | None = None,
        client: httpx.Client | None = None,
        pcsc_wait: float = PCSC_WAIT_SECONDS,
    ) -> None:
        self.environ = os.environ if environ is None else environ
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self._card_service = card
        self._own_service: CardService | None = None
        self.profiles = profiles or (card.profiles if card is not None else ProfileSet.load())
        self._client = client
        self._pcsc_wait = pcsc_wait
        # What earlier checks learned, for the later ones.
        self.readers: list[str] = []
        self.card: CardPresence | None = None
        self.profile: CardProfile | None = None
        self.token: TokenSession | None = None
        self.token_status: TokenStatus | None = None
        self.certificates: list[x509.Certificate] = []
        self.signing: CertificateFacts | None = None
        self.revocation: RevocationResult | None = None
        self.network_time: dt.datetime | None = None

    @property
    def checks(self) -> tuple[tuple[str, Callable[[], Finding]], ...]:
        return (
            ("system", self.check_system),
            ("pcsc", self.check_pcsc),
            ("readers", self.check_readers),
            ("card", self.check_card),
            ("module", self.check_module),
            ("token", self.check_token),
            ("certificate", self.check_certificate),
            ("revocation", self.check_revocation),
            ("pin", self.check_pin),
            ("clock", self.check_clock),
        )

    def run(self) -> DoctorRun:
        done: dict[str, Finding] = {}
        try:
            for name, check in self.checks:
                blocker = _blocker(name, done)
                done[name] = (
                    Finding(name, "skipped", Status.SKIP, {"after": blocker})
                    if blocker
                    else check()
                )
        finally:
            if self._own_service is not None:
                self._own_service.stop()
        der = self.signing.der if self.signing is not None else None
        return DoctorRun(list(done.values()), der)

    @property
    def card_service(self) -> CardService:
        """The agent's card service, or the one this run started (check_pcsc starts it)."""
        service = self._card_service or self._own_service
        if service is None:
            raise RuntimeError("the pcsc check runs first")
        return service

    # -- machine and service -------------------------------------------------------------

    def check_system(self) -> Finding:
        process = interpreter_architecture()
        return Finding(
            "system",
            "ok",
            Status.OK,
            {
                "os": platform.system(),
                "os_release": platform.release(),
                "machine": platform.machine(),
                "process_architecture": process,
                "process_bits": struct.calcsize("P") * 8,
                "python": platform.python_version(),
            },
        )

    def check_pcsc(self) -> Finding:
        """Reach the PC/SC service and take one picture of readers and cards."""
        try:
            from smartcard import scard
        except ImportError as exc:  # pyscard or libpcsclite missing
            facts: Facts = {"error": type(exc).__name__}
            return Finding("pcsc", "no_library", Status.FAIL, facts, _pcsc_fix(install=True))
        if self._card_service is None:
            from assistant.card.service import CardService

            # With no reader at all the monitor's first picture waits for a PnP event or
            # its safety timeout; readers (and their cards) are reported before that
            # wait, so "not ready, but the service answered" means: no reader.
            self._own_service = CardService(self.profiles, environ=self.environ)
            self._own_service.start(self._pcsc_wait)
        picture = self.card_service.picture()
        if not picture.service_up:
            error = _scard_name(scard, picture.pcsc_error)
            return Finding("pcsc", "not_running", Status.FAIL, {"error": error}, _pcsc_fix())
        self.readers = list(picture.readers)
        self.card = picture.card  # the card service's rule: the first answering card
        return Finding("pcsc", "running", Status.OK)

    def check_readers(self) -> Finding:
        if not self.readers:
            return Finding("readers", "none", Status.FAIL, {}, "plug_reader")
        reader = self.card.reader if self.card else self.readers[0]
        facts: Facts = {"count": len(self.readers), "reader": reader}
        model = known_reader_model(reader)
        if model is None:
            return Finding("readers", "found", Status.OK, facts)
        return Finding("readers", "known_model", Status.OK, {**facts, "model": model})

    # -- card and middleware -------------------------------------------------------------

    def check_card(self) -> Finding:
        card = self.card
        if card is None:
            return Finding("card", "absent", Status.FAIL, {}, "insert_card")
        if card.mute:
            return Finding("card", "mute", Status.FAIL, {"reader": card.reader}, "reinsert_card")
        match = self.profiles.match(card.atr)
        self.profile = match.profile
        facts: Facts = {
            "reader": card.reader,
            "atr": match.atr.hex,
            "profile": match.profile.id,
            "profile_name": match.profile.name,
            "description": match.description or match.profile.name,
            "match": match.kind.value,
        }
        if match.kind is MatchKind.FALLBACK:
            return Finding("card", "unknown", Status.WARN, facts, "unknown_card")
        return Finding("card", "recognised", Status.OK, facts)

    def check_module(self) -> Finding:
        """Found, built for this process's CPU, and loadable (C_Initialize succeeds)."""
        from assistant.card.module import Pkcs11Module

        profile = self.profile or self.profiles.get(DEFAULT_PROFILE)
        service = self._card_service or self._own_service
        search = (
            service.find_module(profile) if service else find_module(profile, environ=self.environ)
        )
        process = interpreter_architecture()
        wrong = [c for c in search.candidates if c.state is CandidateState.WRONG_ARCHITECTURE]
        if search.path is None and wrong:
            return _wrong_architecture(wrong[0].path, wrong[0].architecture, process)
        if search.path is None:
            return _missing_module(search, profile)
        binary = read_binary(search.path)  # discovery already refused a foreign CPU
        facts: Facts = {
            "path": str(search.path),
            "source": search.source.value,
            "format": binary.format.value,
            "architecture": process,
            "bits": bits(process),
        }
        loaded = Pkcs11Module.load(search.path)
        if not loaded.ok:
            error = (loaded.error or loaded.kind.value).partition(":")[0]
            facts["error"] = error
            return Finding("module", "load_failed", Status.FAIL, facts, "reinstall_middleware")
        facts["description"] = loaded.unwrap().description
        return Finding("module", "found", Status.OK, facts)

    def check_token(self) -> Finding:
        """The card service's token: a running agent's already open one, if it has it."""
        opened = self.card_service.token()
        if opened is None:  # pulled since the card check
            return Finding(
                "token",
                "removed",
                Status.FAIL,
                {"error": OutcomeKind.CARD_REMOVED.value},
                "insert_card",
            )
        if not opened.ok:
            result, fix = _TOKEN_FAILURES.get(opened.kind, ("error", "reinsert_card"))
            facts = {"error": opened.error or opened.kind.value}
            return Finding("token", result, Status.FAIL, facts, fix)
        self.token = opened.unwrap()
        status = self.token.status()
        if not status.ok:
            result, fix = _TOKEN_FAILURES.get(status.kind, ("error", "reinsert_card"))
            return Finding("token", result, Status.FAIL, {"error": status.kind.value}, fix)
        info = self.token_status = status.unwrap()
        return Finding(
            "token",
            "visible",
            Status.OK,
            {"label": info.label, "manufacturer": info.manufacturer, "model": info.model},
        )

    # -- certificate ---------------------------------------------------------------------

    def check_certificate(self) -> Finding:
        from cryptography import x509

        from assistant.pki.facts import ValidityState, read_facts
        from assistant.pki.selection import pick_signing_certificate

        listed = self.card_service.certificates()  # read once per insertion
        if listed is None:
            facts: Facts = {"error": OutcomeKind.CARD_REMOVED.value}
            return Finding("certificate", "removed", Status.FAIL, facts, "insert_card")
        if not listed.ok:
            result, fix = _TOKEN_FAILURES.get(listed.kind, ("error", "reinsert_card"))
            return Finding("certificate", result, Status.FAIL, {"error": listed.kind.value}, fix)
        ders = [c.der for c in listed.unwrap()]
        self.certificates = [x509.load_der_x509_certificate(d) for d in ders]
        now = self._now()
        chosen = pick_signing_certificate([read_facts(d) for d in ders], now).chosen
        if chosen is None:
            facts = {"certificates": len(ders)}
            return Finding("certificate", "none", Status.FAIL, facts, "contact_ca")
        self.signing = chosen
        validity = chosen.validity_at(now)
        facts = {
            "holder": chosen.holder_name,
            "tckn": chosen.tckn_masked,
            "issuer": chosen.issuer_name,
            "serial": _colon_hex(chosen.serial_number),
            "key": chosen.key.label,
            "qualified": chosen.is_qualified,
            "not_before": chosen.not_before.date().isoformat(),
            "not_after": chosen.not_after.date().isoformat(),
            "days_left": validity.days_left,
            "certificates": len(ders),
        }
        verdicts: dict[ValidityState, tuple[Status, str | None]] = {
            ValidityState.VALID: (Status.OK, None),
            ValidityState.RENEWAL_DUE: (Status.WARN, "renew_certificate"),
            ValidityState.EXPIRED: (Status.FAIL, "renew_certificate"),
            ValidityState.NOT_YET_VALID: (Status.FAIL, "wait_or_clock"),
        }
        status, advice = verdicts[validity.state]
        return Finding("certificate", validity.state.value, status, facts, advice)

    def check_revocation(self) -> Finding:
        """OCSP, then the CRL (assistant.pki); no network is a finding, never a crash."""
        from assistant.pki.cache import RevocationCache
        from assistant.pki.fetch import make_client
        from assistant.pki.revocation import check_revocation
        from assistant.pki.status import Problem, RevocationStatus
        from assistant.pki.trust import build_chain, load_trust_store, trust_locations

        assert self.signing is not None and self.certificates  # REQUIRES certificate
        now = self._now()
        leaf = next(c for c in self.certificates if _der(c) == self.signing.der)
        chain = build_chain(leaf, self.certificates, load_trust_store(), now)
        facts: Facts = {"chain": chain.status.value}
        if chain.issuer is None:
            facts["trust_dir"] = ", ".join(_home_relative(p) for p in trust_locations())
            return Finding("revocation", "no_issuer", Status.WARN, facts, "add_ca_certificates")
        client = self._client or make_client()
        client.event_hooks = {"request": [], "response": [self._note_date]}
        try:
            result = check_revocation(leaf, chain.issuer, client=client, cache=RevocationCache())
        finally:
            if self._client is None:
                client.close()
        self.revocation = result
        facts |= {"source": result.source.value, "from_cache": result.from_cache}
        if result.problem is not None:
            facts["problem"] = result.problem.value
        if result.revoked_at is not None:
            facts["revoked_at"] = result.revoked_at.date().isoformat()
        table: dict[RevocationStatus, tuple[Status, str | None]] = {
            RevocationStatus.GOOD: (Status.OK, None),
            RevocationStatus.REVOKED: (Status.FAIL, "revoked"),
            RevocationStatus.SUSPENDED: (Status.FAIL, "unsuspend"),
            RevocationStatus.UNKNOWN: (Status.WARN, "contact_ca"),
            RevocationStatus.UNAVAILABLE: (Status.WARN, "check_network"),
            RevocationStatus.INVALID_RESPONSE: (Status.WARN, "try_later"),
        }
        status, fix = table[result.status]
        if result.problem is Problem.STALE:
            fix = "set_clock"  # "from the future" or "expired" answers: usually our clock
        elif result.problem is Problem.NO_URL:
            fix = "contact_ca"
        return Finding("revocation", result.status.value, status, facts, fix)

    def _note_date(self, response: httpx.Response) -> None:
        """httpx response hook: the responder's Date header is a second opinion on the time."""
        self.network_time = http_date(response.headers.get("date")) or self.network_time

    # -- PIN and clock -------------------------------------------------------------------

    def check_pin(self) -> Finding:
        """The token check's status read: C_GetTokenInfo flags, plus VERIFY without data
        where the profile allows it. Neither presents a PIN, so no try is spent."""
        info = self.token_status
        assert info is not None and self.profile is not None  # REQUIRES token
        pin = info.pin
        facts: Facts = {
            "tries_left": pin.tries_left,
            "source": pin.source.value,
            "pin_pad": info.protected_auth_path,
            "min_length": info.new_pin_policy.min_length,
            "max_length": info.new_pin_policy.max_length,
        }
        if pin.locked:
            fix = (
                "unblock_with_puk" if self.profile.puk_manager is PukManager.USER else "unlock_pin"
            )
            return Finding("pin", "locked", Status.FAIL, facts, fix)
        if pin.last_try:
            return Finding("pin", "final_try", Status.WARN, facts, "final_try")
        if pin.to_be_changed:
            return Finding("pin", "must_change", Status.WARN, facts, "change_pin")
        if pin.tries_left is None:
            return Finding("pin", "ok_no_count", Status.OK, facts)
        return Finding("pin", "ok", Status.OK, facts)

    def check_clock(self) -> Finding:
        from assistant.pki.status import RevocationStatus

        now = self._now()
        signed = None
        result = self.revocation
        if result is not None and result.status is not RevocationStatus.UNAVAILABLE:
            signed = None if result.from_cache else result.this_update
        start = self.signing.not_before if self.signing is not None else None
        judgement = judge_clock(
            now, network_time=self.network_time, signed_time=signed, certificate_start=start
        )
        facts: Facts = {"now": now.isoformat(timespec="minutes")}
        if judgement.skew_seconds is not None:
            facts["skew_minutes"] = round(judgement.skew_seconds / 60)
        if start is not None:
            facts["not_before"] = start.date().isoformat()
        if judgement.verdict is ClockVerdict.OK:
            return Finding("clock", "ok", Status.OK, facts)
        return Finding("clock", judgement.verdict.value, Status.WARN, facts, "set_clock")


# -- helpers ---------------------------------------------------------------------------


def known_reader_model(reader: str) -> str | None:
    """The reader models Kamu SM hands out, recognised by their PC/SC name."""
    return next((model for model, pattern in KNOWN_READERS if pattern.search(reader)), None)


def _blocker(name: str, done: Mapping[str, Finding]) -> str | None:
    """The first failed prerequisite (or what blocked it), so a skip names the cause."""
    for needed in REQUIRES.get(name, ()):
        finding = done[needed]
        if finding.status is Status.SKIP:
            return str(finding.facts["after"])
        if finding.status is Status.FAIL:
            return needed
    return None


def _pcsc_fix(*, install: bool = False) -> str:
    if install:
        return "install_pcsc"
    return {"win32": "start_pcsc_windows", "darwin": "start_pcsc_darwin"}.get(
        sys.platform, "start_pcsc_linux"
    )


def _scard_name(scard: Any, code: int) -> str:
    """SCARD_E_NO_SERVICE rather than a number (the report masks long digit runs)."""
    for name in dir(scard):
        if name.startswith(("SCARD_E_", "SCARD_F_", "SCARD_W_")) and getattr(scard, name) == code:
            return name
    return "SCARD_UNKNOWN_ERROR"


def _wrong_architecture(path: Path, module: str | None, process: str) -> Finding:
    facts: Facts = {
        "path": str(path),
        "module_architecture": module,
        "module_bits": bits(module),
        "process_architecture": process,
        "process_bits": bits(process),
    }
    return Finding("module", "wrong_architecture", Status.FAIL, facts, "match_architecture")


def _missing_module(search: ModuleSearch, profile: CardProfile) -> Finding:
    hint = search.install[0] if search.install else None
    expected = search.candidates[0].path if search.candidates else None
    facts: Facts = {
        "expected": str(expected) if expected else profile.name,
        "source": search.source.value,
        "package": hint.package if hint else None,
        "url": hint.url if hint else None,
    }
    fix = "install_middleware" if search.source is ModuleSource.PROFILE else "module_setting"
    return Finding("module", "missing", Status.FAIL, facts, fix)


_TOKEN_FAILURES: dict[OutcomeKind, tuple[str, str]] = {
    OutcomeKind.NO_TOKEN: ("not_visible", "token_not_visible"),
    OutcomeKind.TOKEN_NOT_RECOGNISED: ("unreadable", "token_unreadable"),
    OutcomeKind.CARD_REMOVED: ("removed", "insert_card"),
    OutcomeKind.MODULE_FAILED: ("error", "reinstall_middleware"),
}


def _colon_hex(number: int) -> str:
    """Serial numbers as openssl prints them (3A:F1:…): what the CA's lists show."""
    raw = number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    return raw.hex(":").upper()


def _der(cert: x509.Certificate) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)


def _home_relative(path: Path) -> str:
    """~/… instead of the user's home (and login name) in a report."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)

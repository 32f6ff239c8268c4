"""APDUs per card operation: the assistant cold and warm, pkcs11-tool, the protocol minimum.

On a real card every APDU costs real time (tens of milliseconds each on an ACR38 at T=0),
so the count carries over from the rig to a person's desk, and unlike wall time on a
shared machine it is repeatable. The virtual card counts what it answers
(`assistant.demo.apdu_count`); each operation is done, on the same card, in one run:

- ours, cold: the card was just inserted (the module stays loaded, as in a running
  agent); the agent's `CardService` opens the token and does the operation, the way
  `assistant/agent/actions.py` calls it (card_service.py → card/token.py);
- ours, warm: the same operation again on the open token (median of a few runs: counts
  do not vary on the rig, a spread would be printed);
- `pkcs11-tool` against OpenSC's module, a fresh process each time as a person runs it,
  measured after all of ours so neither side's PC/SC state spills into the other's;
- the protocol minimum, cold and warm, from `benchmarks/apdu_minimum.py`, which performs
  the shortest sequence on a copy of the card and says why nothing less will do.

Two cards: the PIV ATR (OpenSC's clean PIV card, and the profile with the exact retry
probe) and the AKİS ATR the demo card shows (no retry probe: the count comes from
PKCS#11 flags). Opening the token after an insertion is OpenSC binding the card; that
part is reported on its own, with what in it is OpenSC's own doing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import apdu_minimum

if TYPE_CHECKING:
    from assistant.card.outcomes import Outcome
    from assistant.card.service import CardService
    from assistant.card.token import TokenSession
    from assistant.demo.apdu_count import ApduCounter, ApduTally
    from assistant.demo.virtual_card import VirtualCard

OPENSC = Path("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
OPENSC_CONF = (
    "app opensc-pkcs11 { pkcs11 { user_pin_unblock_style = set_pin_in_unlogged_session; } }\n"
)
CARDS = ("piv", "akis")
WARM_RUNS = 3
OTHER_PIN = {"123456": "975310", "975310": "123456"}
NOT_YET = "not yet"
COLUMNS = ("ours_cold", "ours_warm", "pkcs11_tool", "min_cold", "min_warm")
FINDINGS = {
    "opensc_bind_apdus": "OpenSC binding the card (the token's first opening after insertion)",
    "opensc_bind_probe_apdus": "of them, other card drivers' probes (foreign SELECTs, 00 CA DF30)",
    "opensc_bind_discovery_reads": "of them, reads of the Discovery object (7E)",
    "opensc_bind_reads": "GET DATA per object while binding",
    "opensc_bind_objects_read_twice": "objects read twice: a short read for the length, then whole",
    "opensc_warm_discovery_reads": "Discovery (7E) read again per card lock in warm operations",
}
"""What the `{card}_opensc_*` figures say: where OpenSC's own behaviour sets the count."""

Ours = Callable[["CardService", "VirtualCard"], "Outcome[Any] | None"]
Tool = Callable[["VirtualCard", Path], list[str]]
Minimum = Callable[..., "ApduTally"]


@dataclass(frozen=True)
class Operation:
    key: str
    label: str
    ours: Ours | None
    """None: the assistant cannot do it yet (the row says so)."""
    tool: Tool | None
    minimum: Minimum | None
    check: Callable[[VirtualCard, Path, str], None] = lambda card, work, before: None
    """After pkcs11-tool: raise unless the card shows the operation happened."""


def _pin(value: str) -> Any:
    from assistant.secret import Secret, SecretKind

    return Secret(value, SecretKind.PIN)


def _token(service: CardService) -> TokenSession:
    opened = service.token()
    if opened is None or not opened.ok:
        raise RuntimeError(f"token not open: {opened}")
    return opened.unwrap()


def _change(service: CardService, card: VirtualCard) -> Outcome[Any]:
    old = card.pin
    return _token(service).change_pin(_pin(old), _pin(OTHER_PIN[old]))


def _change_args(card: VirtualCard, work: Path) -> list[str]:
    # Logged in first, like ours: unlogged, this OpenSC config would read it as an unblock.
    return ["--login", "--pin", card.pin, "--change-pin", "--new-pin", OTHER_PIN[card.pin]]


def _changed(card: VirtualCard, work: Path, before: str) -> None:
    if card.pin != OTHER_PIN[before]:
        raise RuntimeError("pkcs11-tool --change-pin did not change the PIN")


def _sign_document(service: CardService, card: VirtualCard) -> Any:
    """A two-page PDF signed as the chat's `sign.document` signs it (PAdES with the NES
    key), without asking the CA: the count is the card's, not the network's."""
    from assistant.demo.documents import write_sample_pdf
    from assistant.pki.trust import load_trust_store
    from assistant.sign.pades import sign_pdf
    from assistant.sign.signing import CardKey

    listed = service.certificates()
    if listed is None or not listed.ok:
        raise RuntimeError(f"no certificates: {listed}")
    certificates = listed.unwrap()
    signing = next(c for c in certificates if c.non_repudiation)
    key = CardKey(_token(service), signing, certificates)
    with tempfile.TemporaryDirectory() as folder:
        document = write_sample_pdf(Path(folder) / "dilekce.pdf", pages=2)
        return sign_pdf(document, key, _pin(card.pin), store=load_trust_store([]), fetch=False)


def _sign_args(card: VirtualCard, work: Path) -> list[str]:
    digest = work / "digest"
    digest.write_bytes(hashlib.sha384(b"bench").digest())
    return [
        "--login", "--pin", card.pin, "--sign", "--id", "02", "-m", "ECDSA",
        "--signature-format", "sequence",
        "--input-file", str(digest), "--output-file", str(work / "signature"),
    ]  # fmt: skip


def _signed(card: VirtualCard, work: Path, before: str) -> None:
    """The signature pkcs11-tool wrote verifies against the 9C certificate."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    key = card.certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise RuntimeError("the benchmark card has a P-384 key")
    signature = (work / "signature").read_bytes()
    key.verify(signature, (work / "digest").read_bytes(), ec.ECDSA(Prehashed(hashes.SHA384())))


OPERATIONS = (
    Operation(
        "status",
        "status with retry count",
        lambda service, card: _token(service).status(),
        lambda card, work: ["-L"],
        apdu_minimum.status,
    ),
    Operation(
        "certificates",
        "certificate list",
        lambda service, card: service.certificates(),
        lambda card, work: ["-O"],
        apdu_minimum.certificates,
    ),
    Operation(
        "verify_pin",
        "PIN verify",
        lambda service, card: _token(service).verify_pin(_pin(card.pin)),
        # `--login` alone is a usage error; -O after it lists what the login shows.
        lambda card, work: ["--login", "--pin", card.pin, "-O"],
        apdu_minimum.verify_pin,
    ),
    Operation(
        "change_pin",
        "PIN change",
        _change,
        _change_args,
        apdu_minimum.change_pin,
        _changed,
    ),
    Operation(
        "test_signature",
        "test signature",
        lambda service, card: _token(service).test_signature(_pin(card.pin)),
        _sign_args,
        apdu_minimum.test_signature,
        _signed,
    ),
    # For the card a document is one digest to sign, as pkcs11-tool --sign is: the
    # minimum is the test signature's (VERIFY, GENERAL AUTHENTICATE).
    Operation(
        "document_signing",
        "document signing",
        _sign_document,
        _sign_args,
        apdu_minimum.test_signature,
        _signed,
    ),
)


@dataclass
class Row:
    """One operation's counts (None: not measured) and the command breakdown of each."""

    label: str
    counts: dict[str, int | None]
    details: dict[str, str]
    tallies: dict[str, ApduTally]


def main() -> dict[str, float | str]:
    if shutil.which("pcscd") is None or shutil.which("pkcs11-tool") is None:
        return {"skipped": "pcscd or pkcs11-tool not installed"}
    if not OPENSC.exists():
        return {"skipped": "opensc-pkcs11.so missing"}
    with tempfile.TemporaryDirectory(prefix="bench-apdu-") as tmp:
        return _run(Path(tmp))


def _run(work: Path) -> dict[str, float | str]:
    from assistant.card.service import CardService
    from assistant.demo.pcscd import PcscService
    from assistant.demo.pki import TestPki
    from assistant.demo.virtual_card import VirtualCard, create_state

    results: dict[str, float | str] = {}
    service = PcscService(work / "pcsc", entries=1)
    service.start()
    try:
        os.environ.update(service.env())  # before this process's first PC/SC call
        (work / "opensc.conf").write_text(OPENSC_CONF, encoding="utf-8")
        os.environ["OPENSC_CONF"] = str(work / "opensc.conf")
        slot = service.acquire_slot()
        pki = TestPki(work / "pki")
        cards = CardService(configured_module=OPENSC)
        cards.start()
        try:
            for atr in CARDS:
                create_state(pki, work / f"{atr}.json")
                card = VirtualCard(work / f"{atr}.json", atr, slot.port, slot.name)
                try:
                    rows, bind = _measure_card(cards, card, work)
                finally:
                    card.remove()
                _print_table(atr, rows, bind)
                results.update(_flatten(atr, rows, bind))
        finally:
            cards.stop()
    finally:
        service.stop()
    return results


def _measure_card(
    cards: CardService, card: VirtualCard, work: Path
) -> tuple[dict[str, Row], ApduTally]:
    """Every column of every row for one card; and the token opening (OpenSC's bind)."""
    counter = card.count_apdus()
    rows = {op.key: Row(op.label, dict.fromkeys(COLUMNS), {}, {}) for op in OPERATIONS}
    _insert(cards, card)
    _succeed(_token(cards).status())  # the module is loaded before the first cold count
    bind = _ours(cards, card, counter, rows)
    rows["certificates"].details["ours_uncached"] = _uncached_certificates(cards, counter)
    _tool(card, work, counter, rows)
    for op in OPERATIONS:
        if op.minimum is not None:
            _record(rows[op.key], "min_cold", op.minimum(card.state, cold=True))
            _record(rows[op.key], "min_warm", op.minimum(card.state, cold=False))
    return rows, bind


def _ours(
    cards: CardService, card: VirtualCard, counter: ApduCounter, rows: dict[str, Row]
) -> ApduTally:
    """Cold: re-insert, open the token, do it; warm: do it again on the open token."""
    bind: ApduTally | None = None
    for op in OPERATIONS:
        if op.ours is None:
            continue
        _reinsert(cards, card)
        with counter.operation() as opening:
            _token(cards)
        with counter.operation() as first:
            _succeed(op.ours(cards, card))
        bind = bind or opening.tally
        _record(rows[op.key], "ours_cold", opening.tally + first.tally)
        warm = []
        for _ in range(WARM_RUNS):
            with counter.operation() as again:
                _succeed(op.ours(cards, card))
            warm.append(again.tally)
        _record_spread(rows[op.key], "ours_warm", warm)
    if bind is None:
        raise RuntimeError("no operation measured")
    return bind


def _tool(card: VirtualCard, work: Path, counter: ApduCounter, rows: dict[str, Row]) -> None:
    """pkcs11-tool, a fresh process per operation, checked for having done it."""
    for op in OPERATIONS:
        if op.tool is None:
            continue
        before, args = card.pin, op.tool(card, work)
        with counter.operation() as tool:
            _pkcs11_tool(args)
        op.check(card, work, before)
        _record(rows[op.key], "pkcs11_tool", tool.tally)
        rows[op.key].details["pkcs11_tool_command"] = " ".join(_shown(args))


def _uncached_certificates(cards: CardService, counter: ApduCounter) -> str:
    """What `TokenSession.certificates()` costs warm without the agent's per-insertion cache."""
    with counter.operation() as uncached:
        _succeed(_token(cards).certificates())
    return f"{uncached.tally.total} ({uncached.tally.summary()})"


def _record(row: Row, column: str, tally: ApduTally) -> None:
    row.counts[column] = tally.total
    row.details[column] = tally.summary()
    row.tallies[column] = tally


def _record_spread(row: Row, column: str, tallies: list[ApduTally]) -> None:
    ordered = sorted(tallies, key=lambda t: t.total)
    median = ordered[len(ordered) // 2]
    _record(row, column, median)
    if ordered[0].total != ordered[-1].total:
        row.details[column] += f" (spread {ordered[0].total}–{ordered[-1].total})"


def _succeed(outcome: Outcome[Any] | None) -> None:
    if outcome is None or not outcome.ok:
        raise RuntimeError(f"operation failed on the rig: {outcome}")


def _pkcs11_tool(args: list[str]) -> None:
    command = ["pkcs11-tool", "--module", str(OPENSC), *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(_shown(args))}: {done.stderr.strip()}")


def _shown(args: list[str]) -> list[str]:
    """The command as the table names it: no temp paths, the PIN as a placeholder."""
    shown, hide_next = [], False
    for arg in args:
        shown.append("PIN" if hide_next else Path(arg).name if arg.startswith("/") else arg)
        hide_next = arg in ("--pin", "--new-pin")
    return shown


def _insert(cards: CardService, card: VirtualCard) -> None:
    card.insert()
    deadline = time.monotonic() + 10
    while cards.picture().card is None:  # the agent's own view, not just PC/SC's
        if time.monotonic() > deadline:
            raise TimeoutError("the card service never saw the card")
        time.sleep(0.01)


def _reinsert(cards: CardService, card: VirtualCard) -> None:
    card.remove()
    deadline = time.monotonic() + 10
    while cards.picture().card is not None:
        if time.monotonic() > deadline:
            raise TimeoutError("the card service never saw the removal")
        time.sleep(0.01)
    _insert(cards, card)


def opensc_findings(bind: ApduTally, rows: dict[str, Row]) -> dict[str, float | str]:
    """What in the counts is OpenSC's own doing, from the APDUs it sent."""
    probes = [
        r
        for r in bind.records
        if (r.name == "SELECT" and r.status_word == apdu_minimum.SW_NOT_FOUND)
        or r.name == "GET DATA (CA)"
    ]
    reads = bind.reads_by_object()
    twice = sorted(tag for tag, count in reads.items() if count >= 2 and tag != "7E")
    first_le: dict[str, int | None] = {}
    for record in bind.records:
        if record.name == "GET DATA" and record.detail in twice:
            first_le.setdefault(record.detail, record.expected_length)
    discovery_per_op = {
        key: row.tallies["ours_warm"].reads_by_object().get("7E", 0)
        for key, row in rows.items()
        if "ours_warm" in row.tallies
    }
    return {
        "opensc_bind_apdus": bind.total,
        "opensc_bind_probe_apdus": len(probes),
        "opensc_bind_discovery_reads": reads.get("7E", 0),
        "opensc_bind_reads": ", ".join(f"{tag} {count}" for tag, count in reads.items()),
        "opensc_bind_objects_read_twice": ", ".join(
            f"{tag} (first Le={first_le[tag]})" for tag in twice
        ),
        "opensc_warm_discovery_reads": ", ".join(f"{k} {v}" for k, v in discovery_per_op.items()),
    }


def _flatten(atr: str, rows: dict[str, Row], bind: ApduTally) -> dict[str, float | str]:
    flat: dict[str, float | str] = {}
    for key, row in rows.items():
        for column, count in row.counts.items():
            flat[f"{atr}_{key}_{column}_apdus"] = NOT_YET if count is None else count
        for column, detail in row.details.items():
            flat[f"{atr}_{key}_{column}_detail"] = detail
    for key, value in opensc_findings(bind, rows).items():
        flat[f"{atr}_{key}"] = value
    return flat


def _print_table(atr: str, rows: dict[str, Row], bind: ApduTally) -> None:
    print(f"\nAPDUs per operation, virtual card with the {atr} ATR (OpenSC PIV driver)")
    header = ("operation", "ours cold", "ours warm", "pkcs11-tool", "min cold", "min warm")
    lines: list[tuple[str, ...]] = [header]
    for row in rows.values():
        cells = [NOT_YET if row.counts[c] is None else str(row.counts[c]) for c in COLUMNS]
        lines.append((row.label, *cells))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
    for row in rows.values():
        for column, detail in row.details.items():
            print(f"  {row.label} / {column}: {detail}")
    for key, value in opensc_findings(bind, rows).items():
        print(f"  {FINDINGS[key]}: {value}")

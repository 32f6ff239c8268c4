"""Reading benchmark runs back: one run beside another, and the README table from one run.

A run is the JSON `benchmarks.run` writes: `{"machine", "when", "commit", "note",
"results": {benchmark: {metric: value}}}`. Numbers are only comparable between runs on
the same machine, so both texts name it; the README table is printed from exactly one
run, never assembled from several.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# Metric-name suffix → unit; the longest suffix is tried first.
UNITS = {
    "_per_s": "1/s",
    "_ratio": "x",
    "_apdus": "APDUs",
    "_ms": "ms",
    "_us": "µs",
    "_mb": "MB",
    "_kb": "KB",
    "_s": "s",
}
DETAIL = "_detail"
"""Metrics ending so are explanations (command breakdowns): kept in the JSON, not tabled."""

# What the README calls the rows it carries; other metrics get a name made from the key.
LABELS = {
    ("agent", "first_prompt"): "`nes-asistan` to the first prompt, card inserted, wall",
    ("agent", "import_total"): "`-X importtime` until the first prompt, all modules",
    ("cli", "help"): "`nes-asistan --help`, cold start, wall",
    ("doctor", "card_ocsp"): "`nes-asistan doctor` with card and OCSP, wall",
    ("doctor", "card_with_agent"): "`nes-asistan doctor` with card, OCSP and a running agent",
    ("flow", "load_50_flows"): "loading 50 flow files",
    ("card", "insert_to_event"): "card insert → event (rig)",
    ("card", "virtual_piv_status"): "token status, warm, virtual card",
    ("memory", "rss_start"): "agent RSS after start",
    ("memory", "rss_warm"): "agent RSS, module loaded and card read",
    ("memory", "rss_after_cycles"): "agent RSS after the card insert/remove cycles",
    ("memory", "rss_cycles_growth_per_100"): "agent RSS growth per 100 cycles (second half)",
    ("memory", "rss_after_conversations"): "agent RSS after the conversations opened and closed",
    ("memory", "rss_conversations_growth_per_100"): (
        "agent RSS growth per 100 conversations (second half)"
    ),
    ("doctor", "no_pcscd"): "`nes-asistan doctor`, no PC/SC service",
    ("doctor", "no_card"): "`nes-asistan doctor`, reader without a card",
    ("agent", "import_assistant_agent_core"): "`-X importtime`: assistant.agent.core",
    ("agent", "import_assistant_portal_client"): "`-X importtime`: assistant.portal.client",
    ("agent", "import_httpx"): "`-X importtime`: httpx",
}


def split_unit(metric: str) -> tuple[str, str]:
    """("help_median_ms") -> ("help_median", "ms"); no known suffix -> (metric, "")."""
    for suffix in sorted(UNITS, key=len, reverse=True):
        if metric.endswith(suffix):
            return metric.removesuffix(suffix), UNITS[suffix]
    return metric, ""


def load(path: Path) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(run.get("results"), dict):
        raise ValueError(f"{path}: not a benchmark run (no results)")
    return run


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _cell(value: object) -> str:
    return "—" if value is None else str(value)


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Every figure of `new` beside `old`'s, with the ratio new/old; texts only if changed."""
    rows: list[tuple[str, ...]] = [("benchmark", "metric", "old", "new", "new/old", "unit")]
    benchmarks = list(new["results"]) + [b for b in old["results"] if b not in new["results"]]
    for bench in benchmarks:
        before = old["results"].get(bench, {})
        after = new["results"].get(bench, {})
        for key in list(after) + [k for k in before if k not in after]:
            if key.endswith(DETAIL):
                continue
            metric, unit = split_unit(key)
            was, now = before.get(key), after.get(key)
            if was == now and _number(now) is None:
                continue  # an unchanged note or skip reason is no figure
            rows.append((bench, metric, _cell(was), _cell(now), _ratio(was, now), unit))
    header = f"old: {_describe(old)}\nnew: {_describe(new)}"
    return header + "\n\n" + text_table(rows, numeric=(2, 3, 4))


def _ratio(was: object, now: object) -> str:
    if was is None or now is None:
        return "new" if was is None else "gone"
    before, after = _number(was), _number(now)
    if before is None or after is None:
        return "" if was == now else "changed"
    if before == 0:
        return "=" if after == 0 else "from 0"
    return f"{after / before:.2f}×"


def _describe(run: dict[str, Any]) -> str:
    parts = [str(run.get("machine", "machine unknown"))]
    parts += [str(run[key]) for key in ("when", "commit", "note") if run.get(key)]
    return ", ".join(parts)


def text_table(rows: list[tuple[str, ...]], numeric: tuple[int, ...]) -> str:
    """Aligned columns under a dashed rule; numbers in the `numeric` columns to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(w) if index and i in numeric and _numeral(cell) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _numeral(cell: str) -> bool:
    try:
        float(cell.removesuffix("×"))
    except ValueError:
        return False
    return True


def markdown(run: dict[str, Any]) -> str:
    """The README's performance section body: machine, one table, the APDU tables, notes."""
    lines = [f"Measured with `.venv/bin/python -m benchmarks.run` on {_describe(run)}."]
    table, notes = [], []
    for bench, metrics in run["results"].items():
        if bench == "apdu":
            continue
        for label, median, spread in _measurements(bench, metrics):
            if median is None:
                notes.append(f"- {label}: {spread}")
            else:
                table.append(f"| {label} | {median} | {spread} |")
    if table:
        lines += ["", "| what | median | p95 / max |", "| --- | --- | --- |", *table]
    apdu = run["results"].get("apdu")
    if isinstance(apdu, dict):
        lines += ["", *apdu_markdown(apdu)]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def _measurements(bench: str, metrics: dict[str, Any]) -> list[tuple[str, str | None, str]]:
    """(label, median cell, p95-or-max cell); a text metric is (label, None, text).

    `X_median_U` pairs with `X_p95_U` (or `X_max_U`) into one row; every other number is
    a row of its own, its value in the median column.
    """
    rows: list[tuple[str, str | None, str]] = []
    used: set[str] = set()
    for key, value in metrics.items():
        if key in used or key.endswith(DETAIL):
            continue
        metric, unit = split_unit(key)
        suffix = key.removeprefix(metric)
        if _number(value) is None:
            rows.append((_label(bench, metric), None, str(value)))
            continue
        if metric.endswith("_median"):
            base = metric.removesuffix("_median")
            spread = ""
            for other in ("_p95", "_max"):
                partner = f"{base}{other}{suffix}"
                if partner in metrics:
                    used.add(partner)
                    spread = f"{_cell(metrics[partner])} {unit}".strip()
                    break
            rows.append((_label(bench, base), f"{_cell(value)} {unit}".strip(), spread))
        else:
            rows.append((_label(bench, metric), f"{_cell(value)} {unit}".strip(), ""))
    return rows


def _label(bench: str, metric: str) -> str:
    return LABELS.get((bench, metric), f"{bench}: {metric.replace('_', ' ')}")


def apdu_markdown(results: dict[str, Any]) -> list[str]:
    """One table per card from bench_apdu's `{card}_{operation}_{column}_apdus` numbers."""
    from benchmarks.bench_apdu import CARDS, COLUMNS, FINDINGS, OPERATIONS

    lines: list[str] = []
    for card in CARDS:
        if f"{card}_{OPERATIONS[0].key}_ours_cold_apdus" not in results:
            continue
        lines += [
            f"APDUs per operation, virtual card with the {card} ATR, OpenSC's PIV driver:",
            "",
            "| operation | ours cold | ours warm | `pkcs11-tool` | minimum cold / warm |",
            "| --- | --- | --- | --- | --- |",
        ]
        for op in OPERATIONS:
            cells = [_cell(results.get(f"{card}_{op.key}_{c}_apdus")) for c in COLUMNS]
            lines.append(f"| {op.label} | {cells[0]} | {cells[1]} | {cells[2]} | "
                         f"{cells[3]} / {cells[4]} |")  # fmt: skip
        lines.append("")
        for key, label in FINDINGS.items():
            if f"{card}_{key}" in results:
                lines.append(f"- {label}: {results[f'{card}_{key}']}")
        lines.append("")
    return lines[:-1]

"""The benchmark tooling that turns runs into text: comparisons and the README table.

A wrong ratio or a median paired with the wrong p95 would mislead the very comparison
the numbers exist for, so the arithmetic and the pairing are checked on small runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import report, run

OLD = {
    "machine": "Linux x86_64, 2 cores, Python 3.11.7",
    "when": "2026-12-01 10:00",
    "commit": "aaaaaaa",
    "results": {
        "agent": {"first_prompt_median_ms": 500.0, "first_prompt_p95_ms": 640.0},
        "cli": {"help_median_ms": 40.0, "help_max_ms": 44.0},
        "web": {"skipped": "chromium missing"},
    },
}
NEW = {
    "machine": "Linux x86_64, 2 cores, Python 3.11.7",
    "when": "2026-12-02 10:00",
    "commit": "bbbbbbb",
    "note": "shared machine",
    "results": {
        "agent": {
            "first_prompt_median_ms": 250.0,
            "first_prompt_p95_ms": 320.0,
            "import_top_level_detail": "assistant.cli 4311 µs",
        },
        "cli": {"help_median_ms": 40.0, "help_max_ms": 44.0},
        "web": {"skipped": "chromium missing"},
        "memory": {"rss_start_kb": 49120},
    },
}


def _rows(text: str) -> dict[tuple[str, str], list[str]]:
    table = text.split("\n\n", 1)[1].splitlines()[2:]
    return {(line.split()[0], line.split()[1]): line.split()[2:] for line in table}


def test_compare_puts_each_figure_beside_the_old_one_with_the_ratio() -> None:
    rows = _rows(report.compare(OLD, NEW))
    assert rows[("agent", "first_prompt_median")] == ["500.0", "250.0", "0.50×", "ms"]
    assert rows[("agent", "first_prompt_p95")] == ["640.0", "320.0", "0.50×", "ms"]
    assert rows[("cli", "help_median")] == ["40.0", "40.0", "1.00×", "ms"]
    assert rows[("memory", "rss_start")] == ["—", "49120", "new", "KB"]


def test_compare_names_both_runs_and_leaves_out_unchanged_texts() -> None:
    text = report.compare(OLD, NEW)
    assert text.startswith("old: Linux x86_64, 2 cores, Python 3.11.7, 2026-12-01 10:00, aaaaaaa")
    assert "new: Linux x86_64, 2 cores, Python 3.11.7, 2026-12-02 10:00, bbbbbbb, shared" in text
    assert "skipped" not in text
    assert "import_top_level" not in text  # explanations stay in the JSON


def test_a_text_that_changed_is_shown() -> None:
    newer = json.loads(json.dumps(NEW))
    newer["results"]["web"]["skipped"] = "no display"
    rows = _rows(report.compare(OLD, newer))
    assert rows[("web", "skipped")][-1] == "changed"


@pytest.mark.parametrize(
    ("metric", "expected"),
    [
        ("help_median_ms", ("help_median", "ms")),
        ("piv_status_ours_warm_apdus", ("piv_status_ours_warm", "APDUs")),
        ("guidance_updates_per_s", ("guidance_updates", "1/s")),
        ("import_httpx_us", ("import_httpx", "µs")),
        ("fds_start", ("fds_start", "")),
    ],
)
def test_units_come_from_the_metric_suffix(metric: str, expected: tuple[str, str]) -> None:
    assert report.split_unit(metric) == expected


def test_markdown_pairs_each_median_with_its_p95_or_max_and_names_the_machine() -> None:
    text = report.markdown(NEW)
    assert "on Linux x86_64, 2 cores, Python 3.11.7, 2026-12-02 10:00, bbbbbbb, shared" in text
    assert (
        "| `nes-asistan` to the first prompt, card inserted, wall | 250.0 ms | 320.0 ms |" in text
    )
    assert "| `nes-asistan --help`, cold start, wall | 40.0 ms | 44.0 ms |" in text
    assert "| agent RSS after start | 49120 KB |  |" in text
    assert "- web: skipped: chromium missing" in text
    assert "4311" not in text


def test_markdown_has_the_apdu_table_with_rows_not_measured_yet() -> None:
    from benchmarks.bench_apdu import COLUMNS, OPERATIONS

    apdu: dict[str, object] = {}
    for index, op in enumerate(OPERATIONS):
        for column in COLUMNS:
            # A run written before document signing was measured says "not yet" there.
            measured = op.ours is not None and op.key != "document_signing"
            value = index * 10 + COLUMNS.index(column) if measured else "not yet"
            apdu[f"piv_{op.key}_{column}_apdus"] = value
    apdu["piv_opensc_bind_discovery_reads"] = 8
    text = report.markdown({"machine": "m", "results": {"apdu": apdu}})
    assert "| status with retry count | 0 | 1 | 2 | 3 / 4 |" in text
    assert "| PIN change | 30 | 31 | 32 | 33 / 34 |" in text
    assert "| document signing | not yet | not yet | not yet | not yet / not yet |" in text
    assert "- of them, reads of the Discovery object (7E): 8" in text
    assert "akis ATR" not in text  # only the cards the run measured


def test_the_command_line_compares_written_runs_without_running_any(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.json").write_text(json.dumps(OLD), encoding="utf-8")
    (tmp_path / "new.json").write_text(json.dumps(NEW), encoding="utf-8")
    argv = ["--results", str(tmp_path / "new.json"), "--compare", str(tmp_path / "old.json")]
    assert run.main([*argv, "--markdown"]) == 0
    printed = capsys.readouterr().out
    assert "0.50×" in printed
    assert "| what | median | p95 / max |" in printed


def test_a_file_that_is_no_run_is_refused(tmp_path: Path) -> None:
    (tmp_path / "other.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="not a benchmark run"):
        report.load(tmp_path / "other.json")

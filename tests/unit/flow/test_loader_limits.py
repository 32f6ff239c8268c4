"""Files that once escaped the loader as tracebacks: each is now a located problem.

A helpdesk author saving a flow in Windows-1254, pasting a control character, writing
YAML 1.1 number forms or a runaway condition is told where and what, and
`nes-asistan flows lint` / `nes-asistan agent` report it instead of dying.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.flow.loader import FlowLoadError, load_file, load_text

ROOT = Path(__file__).parents[3]


def ask(extra: str, text: str = "Kaç?") -> str:
    return f"flow: f\nsteps:\n  - id: q\n    ask: {text}\n{extra}  - id: e\n    end: ok\n"


def problems_of(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(FlowLoadError) as caught:
        load_text(text, "f.yaml")
    return [(p.code, p.location.line, p.location.column, p.message) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0x10", "hexadecimal number 16"),
        ("0b11", "binary number 3"),
        ("1:30", "base-60 number 90"),
        ("010", "octal number 8"),
        ("1_0", "reads 1_0 as 10"),
        ("9" * 5000, "at most 9 digits"),
    ],
)
def test_yaml_1_1_number_forms_are_refused_with_what_yaml_would_read(
    value: str, words: str
) -> None:
    ((code, line, column, message),) = problems_of(ask(f"    retries: {value}\n"))
    assert (code, line, column) == ("schema", 5, 14)
    assert words in message
    assert len(message) < 300  # the 5,000 digits are not echoed back


def test_a_validator_option_in_hex_is_refused() -> None:
    ((code, line, column, message),) = problems_of(ask("    validate: {number: {min: 0x6}}\n"))
    assert (code, line, column) == ("schema", 5, 30)
    assert "hexadecimal number 6" in message


def test_plain_numbers_still_load() -> None:
    flow = load_text(ask("    retries: 5\n    validate: {number: {min: -2, max: 10}}\n"))
    (question, _) = flow.steps
    assert question.retries == 5  # type: ignore[union-attr]
    assert question.validators[0].options == {"min": -2, "max": 10}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ("(" * 3000 + "x" + ")" * 3000, "too long"),
        ("(" * 40 + "x" + ")" * 40, "nested too deeply"),
        ("not " * 40 + "x", "nested too deeply"),
        ("'x in " + "[" * 40 + "]" * 40 + "'", "nested too deeply"),
        ("x > " + "9" * 900, "number is too long"),
    ],
)
def test_runaway_conditions_are_located_problems(condition: str, words: str) -> None:
    text = ask(f"    next:\n      - if: {condition}\n        then: e\n")
    ((code, line, _column, message),) = problems_of(text)
    assert (code, line) == ("condition", 6)
    assert words in message


def test_a_control_character_is_reported_where_it_is() -> None:
    ((code, line, column, message),) = problems_of(ask("", text="Kaç\x01?"))
    assert (code, line, column) == ("encoding", 4, 13)
    assert "U+0001" in message


def test_an_escaped_control_character_in_a_text_is_refused() -> None:
    ((code, line, _column, message),) = problems_of(ask("", text='"Kaç\\x1b[31m?"'))
    assert (code, line) == ("schema", 4)
    assert "U+001B" in message


def test_aliases_and_deep_nesting_are_refused() -> None:
    (alias,) = problems_of("flow: f\nsteps: &s [*s]\n")
    assert alias[0] == "schema" and "aliases" in alias[3]
    deep = problems_of("flow: f\nsteps:\n" + "".join("  " * i + "- \n" for i in range(40)))
    assert deep[0][0] == "limit"


def test_a_windows_1254_file_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "eski.yaml"
    path.write_bytes(ask("", text='"Kartınız hazır mı?"').encode("cp1254"))
    with pytest.raises(FlowLoadError) as caught:
        load_file(path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.location.line, problem.location.column) == ("encoding", 4, 15)
    assert "not UTF-8" in problem.message and "Windows-1254" in problem.message
    assert problem.location.file == str(path)


def test_an_oversized_file_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (300 * 1024) + b"\n")
    with pytest.raises(FlowLoadError) as caught:
        load_file(path)
    assert caught.value.problems[0].code == "limit"


BROKEN = {
    "w1254.yaml": ask("", text='"Şifre değiştirildi"').encode("cp1254"),
    "control.yaml": ask("", text="Kaç\x01?").encode(),
    "hex.yaml": ask("    retries: 0x10\n").encode(),
    "parens.yaml": ask("    next:\n      - if: " + "(" * 3000 + "x" + ")" * 3000 + "\n").encode(),
}


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NES_ASISTAN_HOME": str(tmp_path / "home")}
    env["NES_ASISTAN_FLOWS"] = str(tmp_path / "flows")
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture
def broken_flows(tmp_path: Path) -> Path:
    folder = tmp_path / "flows"
    folder.mkdir()
    for name, data in BROKEN.items():
        (folder / name).write_bytes(data)
    return folder


def test_flows_lint_reports_every_broken_file_and_no_traceback(
    tmp_path: Path, broken_flows: Path
) -> None:
    result = run(tmp_path, "flows", "lint", str(broken_flows))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    for name in BROKEN:
        assert f"{broken_flows / name}:" in result.stdout, result.stdout


def test_the_agent_refuses_broken_flows_with_their_places_and_no_traceback(
    tmp_path: Path, broken_flows: Path
) -> None:
    result = run(tmp_path, "agent")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    for name in BROKEN:
        assert f"{broken_flows / name}:" in result.stderr, result.stderr

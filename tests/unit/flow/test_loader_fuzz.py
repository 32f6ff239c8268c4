"""Mutated flow files through the loader and lint: problems with file:line:col, nothing else.

Each example takes a real flow file (flows/ and the fixtures), applies a few byte-level
mutations (random bytes, deletions, repeated spans, tokens YAML and the condition
language find hard) and runs it the way `nes-asistan flows lint` does: `load_all` on the
folder, then `lint` with the assistant's own action registry. CI runs CI_EXAMPLES; set
NES_ASISTAN_EXAMPLES=1200 for the long run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from assistant.flow.actions import Registry
from assistant.flow.lint import lint
from assistant.flow.loader import load_all
from tests.examples import examples

ROOT = Path(__file__).parents[3]
SEEDS = sorted((ROOT / "flows").glob("*.yaml")) + sorted(
    (ROOT / "tests" / "fixtures" / "flows").glob("*.yaml")
)
CI_EXAMPLES = 150

# Inputs that once escaped the loader as raw tracebacks, and their relatives.
NASTY = [
    b"0x10",
    b"0b11",
    b"1:30",
    b"010",
    b"1_000",
    b"+3",
    b"9" * 5000,
    b"(" * 3000,
    b"not " * 300,
    b"[" * 1200,
    b"{" * 1200,
    b"- " * 600,
    b"\x00",
    b"\x01",
    b"\x1b[31m",
    b"\x7f",
    b"\xc2\x85",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfd\xfe\xf0",  # ı ş ğ in Windows-1254
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate
    b'"\\ud800"',
    b'"\\x01\\0"',
    b"&a ",
    b"*a",
    b"&a [*a]",
    b"? [a, b]\n: c\n",
    b"!!int ",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary ",
    b"%YAML 1.1\n---\n",
    b"\n---\n",
    b"\n...\n",
    b"\t",
    b": ",
    b"\n  - ",
    b"retries: ",
    b"min: 0x6",
    b"if: ",
    b"then: ",
    b"{{",
    b"}",
    b"\r",
    b"\\",
    b'"',
    b"'",
]


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8
)
# Weighted: mostly edits a person might make, sometimes raw bytes.
OPERATIONS = ["char", "char", "text", "text", "delete", "repeat", "nasty", "nasty", "bytes"]


def boundary(data: bytearray, at: int) -> int:
    """The first UTF-8 character boundary at or after `at` (text edits keep text valid)."""
    while at < len(data) and data[at] & 0xC0 == 0x80:
        at += 1
    return at


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    seed = draw(st.sampled_from(SEEDS))
    data = bytearray(seed.read_bytes())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = boundary(data, draw(st.integers(min_value=0, max_value=len(data))))
        end = boundary(data, at + draw(st.integers(min_value=1, max_value=200)))
        match draw(st.sampled_from(OPERATIONS)):
            case "char":
                char = draw(st.integers(min_value=0x20, max_value=0x7E))
                data[at : boundary(data, at + 1)] = bytes([char])
            case "text":
                data[at:at] = draw(TEXT).encode("utf-8")
            case "bytes":
                data[at:at] = draw(st.binary(min_size=1, max_size=8))
            case "delete":
                data[at:end] = b""
            case "repeat":
                data[at:at] = bytes(data[at:end]) * draw(st.integers(min_value=1, max_value=40))
            case "nasty":
                data[at:at] = draw(st.sampled_from(NASTY))
    if draw(st.sampled_from([False] * 19 + [True])):  # now and then a whole Windows-1254 file
        data = bytearray(data.decode("utf-8", "replace").encode("cp1254", "replace"))
    return seed.name, bytes(data)


@pytest.fixture(scope="module")
def registry() -> Registry:
    from assistant.agent.actions import build_registry

    return build_registry()


@settings(
    max_examples=examples(CI_EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=mutated())
def test_any_bytes_give_a_flow_or_located_problems(
    case: tuple[str, bytes], tmp_path_factory: pytest.TempPathFactory, registry: Registry
) -> None:
    name, data = case
    folder = tmp_path_factory.mktemp("flows")
    for seed in SEEDS:
        if seed.parent == ROOT / "flows" and seed.name != name:
            (folder / seed.name).write_bytes(seed.read_bytes())
    target = folder / name
    target.write_bytes(data)
    flows, problems = load_all([folder])  # must not raise
    problems += lint(flows, registry)  # nor may lint on whatever did load
    event(", ".join(sorted({p.code for p in problems})) or "no problem")
    for problem in problems:
        assert Path(problem.location.file).parent == folder, problem
        assert problem.location.line >= 1 and problem.location.column >= 1, problem
        assert str(problem).startswith(f"{problem.location}: "), problem
        assert problem.message.strip(), problem

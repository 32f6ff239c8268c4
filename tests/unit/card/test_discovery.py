"""Finding the PKCS#11 module: explicit choices win, and a miss says what to install."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from assistant.card.binary import read_binary
from assistant.card.discovery import (
    ENV_VAR,
    CandidateState,
    ModuleSource,
    find_module,
    interpreter_architecture,
)
from assistant.card.outcomes import OutcomeKind
from assistant.card.profiles import CardProfile, ProfileSet
from assistant.card.token import open_token

PYTHON = Path(sys.executable).resolve()  # an ELF/PE/Mach-O of the interpreter's own build


def elf(path: Path, machine: int) -> Path:
    """A file with a little-endian ELF header claiming `machine` (40 = ARM, 62 = x86-64)."""
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[4], header[5] = 1, 1  # 32-bit class, little endian
    header[18:20] = machine.to_bytes(2, "little")
    path.write_bytes(bytes(header))
    return path


def profile_with(tmp_path: Path, paths: list[str]) -> CardProfile:
    listed = "\n".join(f"        - {p}" for p in paths)
    (tmp_path / "p.yaml").write_text(
        f"""
profiles:
  - id: test
    name: Test
    family: test
    fallback: true
    modules:
      linux:
{listed}
    install:
      - {{package: opensc, url: "https://example.invalid/opensc", platforms: [linux]}}
    pin: {{min_length: null, max_length: null, digits_only: false}}
    puk_manager: unknown
    retry_probe: null
    unblock_style: so_login_init_pin
""",
        encoding="utf-8",
    )
    return ProfileSet.load(tmp_path / "p.yaml").get("test")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF on Linux")
def test_the_interpreter_itself_has_our_architecture() -> None:
    assert read_binary(PYTHON).architectures == (interpreter_architecture(),)


def test_env_var_wins_over_config_and_profile(tmp_path: Path) -> None:
    profile = profile_with(tmp_path, [str(PYTHON)])
    search = find_module(
        profile, configured=tmp_path / "configured.so", environ={ENV_VAR: str(PYTHON)}
    )
    assert (search.path, search.source) == (PYTHON, ModuleSource.ENV)


def test_a_broken_explicit_choice_is_reported_not_replaced(tmp_path: Path) -> None:
    profile = profile_with(tmp_path, [str(PYTHON)])
    search = find_module(profile, configured=tmp_path / "missing.so", environ={})
    assert not search.found
    assert search.source is ModuleSource.CONFIG
    assert [c.state for c in search.candidates] == [CandidateState.MISSING]
    assert search.install == ()


def test_profile_paths_are_tried_in_order(tmp_path: Path) -> None:
    (tmp_path / "dir.so").mkdir()
    profile = profile_with(
        tmp_path, [str(tmp_path / "none.so"), str(tmp_path / "dir.so"), str(PYTHON)]
    )
    search = find_module(profile, environ={}, platform="linux")
    assert search.path == PYTHON
    assert search.source is ModuleSource.PROFILE
    states = [c.state for c in search.candidates]
    assert states == [CandidateState.MISSING, CandidateState.NOT_A_FILE, CandidateState.FOUND]


def test_nothing_found_comes_with_the_install_hint(tmp_path: Path) -> None:
    profile = profile_with(tmp_path, [str(tmp_path / "none.so")])
    search = find_module(profile, environ={}, platform="linux")
    assert not search.found
    assert [h.package for h in search.install] == ["opensc"]
    assert find_module(profile, environ={}, platform="darwin").candidates == ()


@pytest.mark.skipif(interpreter_architecture() == "arm", reason="needs a foreign arch")
def test_a_module_for_another_architecture_is_told_apart(tmp_path: Path) -> None:
    foreign = elf(tmp_path / "libakisp11.so", 40)
    search = find_module(profile_with(tmp_path, [str(foreign)]), environ={}, platform="linux")
    assert not search.found
    (candidate,) = search.candidates
    assert candidate.state is CandidateState.WRONG_ARCHITECTURE
    assert candidate.architecture == "arm"


def test_multiarch_placeholder_is_expanded(tmp_path: Path) -> None:
    profile = ProfileSet.load().get("piv")
    search = find_module(profile, environ={}, platform="linux")
    first = str(search.candidates[0].path)
    assert "${" not in first
    assert first.endswith("/opensc-pkcs11.so")


def test_akis_profile_looks_where_domain_notes_say(tmp_path: Path) -> None:
    search = find_module(ProfileSet.load().get("akis"), environ={}, platform="linux")
    assert Path("/usr/lib/libakisp11.so") in [c.path for c in search.candidates]
    if not search.found:
        assert [h.package for h in search.install] == ["Akia"]


def test_opening_a_token_without_a_module_is_a_typed_outcome(tmp_path: Path) -> None:
    profile = profile_with(tmp_path, [str(tmp_path / "none.so")])
    outcome = open_token(profile, environ={})
    assert outcome.kind is OutcomeKind.MODULE_MISSING
    assert outcome.search is not None
    assert [h.url for h in outcome.search.install] == ["https://example.invalid/opensc"]

"""The console script as a user meets it: help, version, languages, bad options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import __version__
from assistant.cli import build_parser, main

SCRIPT = Path(sys.executable).with_name("nes-asistan")
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, lang: str = "C.UTF-8") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": lang, "LC_ALL": "", "LANGUAGE": ""}
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=30, check=False, env=env
    )


def test_version_is_the_installed_version_and_the_changelogs() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"nes-asistan {__version__}"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'version = "{__version__}"' in pyproject
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert next(line for line in changelog.splitlines() if line.startswith("## ")).startswith(
        f"## {__version__} "
    )


def test_help_describes_the_assistant_in_turkish_and_documents_exit_codes() -> None:
    result = run("--help")
    assert result.returncode == 0
    assert result.stdout.startswith("kullanım: nes-asistan")
    assert "nitelikli elektronik sertifika" in result.stdout
    assert "Çıkış kodları:" in result.stdout and "130  Ctrl-C" in result.stdout
    for command in ("flows", "agent", "web", "doctor", "demo", "desktop-entry"):
        assert f"    {command}" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--lang", "en", "--help"), "usage: nes-asistan"),
        (("web", "--help", "--lang", "de"), "den Browser nicht öffnen"),
        (("--lang=ar", "demo", "--help"), "شغّل بوابة التدريب أيضًا"),
    ],
)
def test_help_is_in_the_language_asked_for_wherever_lang_stands(
    args: tuple[str, ...], expected: str
) -> None:
    result = run(*args)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout


def test_help_follows_the_system_language() -> None:
    result = run("--help", lang="de_DE.UTF-8")
    assert result.stdout.startswith("Aufruf: nes-asistan")
    assert "Exit-Codes:" in result.stdout


def test_lang_works_before_and_after_the_subcommand() -> None:
    after = build_parser().parse_args(["web", "--lang", "ar", "--no-browser"])
    before = build_parser().parse_args(["--lang", "ar", "web", "--no-browser"])
    for args in (after, before):
        assert args.lang == "ar" and args.no_browser is True
        assert args.handler == "assistant.channels.web.server:main"
    assert build_parser().parse_args(["doctor", "--lang", "english"]).lang == "en"
    assert build_parser().parse_args([]).lang is None


def test_unknown_option_is_refused_in_words_without_traceback() -> None:
    result = run("--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "nes-asistan: hata: bilinmeyen seçenek ya da fazladan değer: --no-such-option" in (
        result.stderr
    )
    english = run("--lang", "en", "web", "--port", "eighty")
    assert english.returncode == 2
    assert "--port: must be a number, not 'eighty'" in english.stderr


def test_an_unsupported_language_is_named_with_the_choices() -> None:
    result = run("--lang", "klingon")
    assert result.returncode == 2
    assert "'klingon' dili yok; şunlardan biri olmalı: tr, en, de, ar" in result.stderr


def test_help_does_not_load_the_card_stack() -> None:
    """Startup stays fast only while --help never imports pyscard, pkcs11 or cryptography."""
    code = (
        "import sys\n"
        "from assistant.cli import main\n"
        "try:\n    main(['--lang', 'en', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('smartcard', 'pkcs11', 'cryptography', 'yaml', 'httpx')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.splitlines()[-1] == "HEAVY="


def test_ctrl_c_exits_quietly_with_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(handler: str, args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("assistant.cli._run", interrupted)
    assert main([]) == 130

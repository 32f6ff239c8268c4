"""The package as a user installs it: the README's install commands, run as written.

Once per test session the sdist and the wheel are built (`python -m build`, like a
release), then the README's "Debian 12 / Ubuntu" block runs in a scratch copy of the
clone, with pipx's homes in a temp folder and a plain Debian PATH: no checkout on
sys.path, no .venv. Its `sudo apt-get install` line is checked (every package it names
is installed, which bootstrap makes sure of) rather than run; the lines that need a
card or a desktop are left to the tests that want them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
SETUP_COMMANDS = ("pip wheel", "pipx install")  # what this fixture runs from the README


@dataclass(frozen=True)
class Installed:
    """The pipx-installed assistant and a clean environment to run it in."""

    bin_dir: Path
    python: Path
    env: dict[str, str]
    dist: Path  # sdist + wheel built with `python -m build`

    def run(self, *args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin_dir / "nes-asistan"), *args],
            cwd=cwd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip


def readme_block(heading: str) -> list[str]:
    """The command lines of the first ```sh block under `heading` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, f"no sh block under {heading}"
    return [line.split("  #")[0].strip() for line in block.group(1).splitlines() if line]


def user_env(pipx_home: Path) -> dict[str, str]:
    bin_dir = pipx_home / "bin"
    return {
        "PATH": f"{bin_dir}:{DEBIAN_PATH}",
        "HOME": os.environ["HOME"],  # pip's cache of built wheels (pyscard builds from source)
        "LANG": "C.UTF-8",
        "PIPX_HOME": str(pipx_home / "home"),
        "PIPX_BIN_DIR": str(bin_dir),
        **{k: v for k, v in os.environ.items() if k.startswith("PIP_")},  # the site's index
    }


def _copy_clone(target: Path) -> Path:
    """The tracked files of this checkout (with uncommitted edits), as a fresh clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    work = tmp_path_factory.mktemp("package")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)],
        capture_output=True, check=True, timeout=600,
    )  # fmt: skip
    clone = _copy_clone(work / "clone")
    env = user_env(work / "pipx")
    for line in readme_block("### Debian 12 / Ubuntu"):
        if line.startswith("sudo apt-get install"):
            missing = [p for p in line.split()[3:] if not _installed(p)]
            assert missing == [], f"README's packages not installed: {missing}"
        elif line.startswith(SETUP_COMMANDS):
            result = subprocess.run(
                ["bash", "-c", line], cwd=clone, env=env,
                capture_output=True, text=True, timeout=900, check=False,
            )  # fmt: skip
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
    bin_dir = work / "pipx" / "bin"
    python = work / "pipx" / "home" / "venvs" / "nes-asistan" / "bin" / "python"
    yield Installed(bin_dir, python, env, dist)
    subprocess.run(["pipx", "uninstall", "nes-asistan"], env=env, capture_output=True, check=False)


def _installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return "install ok installed" in status.stdout

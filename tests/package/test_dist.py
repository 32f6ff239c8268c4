"""What a release ships: sdist and wheel metadata, and every data file the code loads."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from assistant import __version__
from tests.package.conftest import ROOT, Installed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]

DATA_SUFFIXES = {".yaml", ".svg", ".css", ".js", ".html", ".typed"}


def _wheel(installed: Installed) -> Path:
    return installed.dist / f"nes_asistan-{__version__}-py3-none-any.whl"


def test_sdist_and_wheel_metadata_pass_twine_check(installed: Installed) -> None:
    files = sorted(installed.dist.iterdir())
    assert [f.name for f in files] == [
        f"nes_asistan-{__version__}-py3-none-any.whl",
        f"nes_asistan-{__version__}.tar.gz",
    ]
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(_wheel(installed)) as wheel:
        metadata = wheel.read(f"nes_asistan-{__version__}.dist-info/METADATA").decode()
    assert f"Version: {__version__}" in metadata
    assert "Requires-Dist: pyscard" in metadata


def test_the_wheel_carries_every_data_file_the_code_loads(installed: Installed) -> None:
    """Package data of the checkout, the flows and one compiled catalog per language."""
    expected = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "assistant").rglob("*")
        if path.suffix in DATA_SUFFIXES and "__pycache__" not in path.parts
    }
    expected |= {f"assistant/flows/{p.name}" for p in (ROOT / "flows").glob("*.yaml")}
    expected |= {
        f"assistant/i18n/locales/{p.parent.parent.name}/LC_MESSAGES/messages.mo"
        for p in (ROOT / "locales").glob("*/LC_MESSAGES/messages.po")
    }
    with zipfile.ZipFile(_wheel(installed)) as wheel:
        shipped = set(wheel.namelist())
    assert expected - shipped == set()
    assert len([n for n in shipped if n.endswith(".mo")]) == 4


def test_the_sdist_can_rebuild_the_wheel(installed: Installed) -> None:
    with tarfile.open(installed.dist / f"nes_asistan-{__version__}.tar.gz") as sdist:
        names = {
            Path(n).relative_to(f"nes_asistan-{__version__}").as_posix()
            for n in sdist.getnames()[1:]
        }
    for needed in ("pyproject.toml", "babel.cfg", "README.md", "assistant/build.py"):
        assert needed in names
    assert {f"flows/{p.name}" for p in (ROOT / "flows").glob("*.yaml")} <= names
    assert {
        str(p.relative_to(ROOT)) for p in (ROOT / "locales").glob("*/LC_MESSAGES/*.po")
    } <= names

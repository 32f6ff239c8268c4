"""The pipx-installed assistant, run from outside the source tree."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

from assistant import __version__
from tests.package.conftest import ROOT, Installed

pytestmark = [pytest.mark.integration, pytest.mark.timeout(900)]


def test_the_installed_copy_imports_nothing_from_the_checkout(
    installed: Installed, tmp_path: Path
) -> None:
    code = (
        "import sys, assistant, assistant.resources as r\n"
        "print(assistant.__file__); print(r.shipped_flows()); print('\\n'.join(sys.path))"
    )
    result = subprocess.run(
        [str(installed.python), "-c", code], cwd=tmp_path, env=installed.env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    venv = installed.python.parents[1]
    assert Path(lines[0]).is_relative_to(venv)
    assert Path(lines[1]).is_relative_to(venv) and Path(lines[1]).name == "flows"
    assert not any(line and Path(line).resolve().is_relative_to(ROOT) for line in lines[2:])


def test_version_flows_lint_and_doctor_work_from_tmp(installed: Installed, tmp_path: Path) -> None:
    assert installed.run("--version", cwd=tmp_path).stdout.strip() == f"nes-asistan {__version__}"
    lint = installed.run("flows", "lint", cwd=tmp_path)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    flows = len(list((ROOT / "flows").glob("*.yaml")))
    assert f"{flows} file(s), {flows} flow(s): no problems" in lint.stderr
    doctor = installed.run("doctor", "--json", cwd=tmp_path)
    report = json.loads(doctor.stdout)
    assert report["exit_code"] == doctor.returncode
    assert "Traceback" not in doctor.stderr


def test_arabic_help_comes_from_the_compiled_catalogs(installed: Installed, tmp_path: Path) -> None:
    result = installed.run("web", "--help", "--lang", "ar", cwd=tmp_path)
    assert result.returncode == 0
    assert "لا تفتح المتصفح" in result.stdout  # --no-browser's help, from messages.mo


@pytest.mark.parametrize(
    "args", [("web", "--lang", "ar", "--no-browser"), ("--lang", "ar", "web", "--no-browser")]
)
def test_web_chat_speaks_arabic_with_lang_before_or_after_web(
    installed: Installed, tmp_path: Path, args: tuple[str, ...]
) -> None:
    env = {**installed.env, "NES_ASISTAN_HOME": str(tmp_path / "home")}
    out = tmp_path / "web.out"
    with out.open("wb") as handle:
        server = subprocess.Popen(
            [str(installed.bin_dir / "nes-asistan"), *args],
            cwd=tmp_path, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "http://127.0.0.1:" not in out.read_text(errors="replace"):
            assert server.poll() is None, out.read_text(errors="replace")
            assert time.monotonic() < deadline, out.read_text(errors="replace")
            time.sleep(0.05)
        line = next(x for x in out.read_text().splitlines() if "http://127.0.0.1:" in x)
        url = urlsplit(line[line.index("http://") :].strip())
        uri = f"ws://127.0.0.1:{url.port}/ws?token={url.fragment}"
        origin = f"http://127.0.0.1:{url.port}"
        with connect(uri, origin=origin, proxy=None, open_timeout=30) as ws:  # type: ignore[arg-type]
            turn = json.loads(ws.recv(timeout=30))
        assert turn["lang"] == "ar" and turn["dir"] == "rtl"
    finally:
        server.terminate()
        server.wait(timeout=20)

"""What the demo says when a system part is missing: the part, its package, one command."""

from __future__ import annotations

import argparse
import os

import pytest

from assistant.demo import cli, requirements
from assistant.demo.requirements import Missing, Part, install_command


def test_each_missing_part_names_its_debian_package_and_one_install_line() -> None:
    missing = [Missing(Part.VPCD), Missing(Part.PCSCD), Missing(Part.NAMESPACE)]
    assert [m.package for m in missing] == ["vsmartcard-vpcd", "pcscd", None]
    command = install_command(missing)
    sudo = "" if os.geteuid() == 0 else "sudo "
    assert command == f"{sudo}apt-get install pcscd vsmartcard-vpcd"
    assert install_command([Missing(Part.NAMESPACE)]) is None


def test_the_demo_stops_before_starting_anything_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(requirements, "missing_parts", lambda: [Missing(Part.OPENSC)])
    args = argparse.Namespace(lang="en", web=False, portal=False, state=None)
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "OpenSC's PKCS#11 module" in err
    assert "Debian package: opensc" in err
    assert "apt-get install opensc" in err


def test_this_machine_has_everything_the_demo_needs() -> None:
    """The rig's machine (bootstrap installs the packages) must pass its own check."""
    assert requirements.missing_parts() == []
    module = requirements.opensc_module()
    assert module is not None and module.endswith("opensc-pkcs11.so")

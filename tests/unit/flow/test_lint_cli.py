"""`nes-asistan flows lint` prints each problem as file:line:col and fails when there is one."""

from __future__ import annotations

import argparse

import pytest

from assistant.flows_cli import main
from tests.unit.flow.conftest import FIXTURES

REGISTRY = "tests.fixtures.flows.actions:lint_registry"


def test_clean_flows_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argparse.Namespace(paths=[str(FIXTURES)], registry=REGISTRY, catalogs=False)) == 0
    assert "2 flow(s): no problems" in capsys.readouterr().err


def test_broken_flows_fail_with_locations(capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(FIXTURES / "lint" / "unreachable.yaml"), str(FIXTURES / "broken")]
    assert main(argparse.Namespace(paths=paths, registry=REGISTRY)) == 1
    out = capsys.readouterr().out
    assert "lint/unreachable.yaml:6:5: no path leads to step 'orphan' [unreachable]" in out
    assert "broken/unknown_key.yaml:5:5: unknown key 'sav_as'" in out


def test_without_a_registry_action_checks_are_skipped_and_said(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = argparse.Namespace(paths=[str(FIXTURES / "lint" / "unknown_action.yaml")])
    args.registry = "no_such_module:registry"
    assert main(args) == 0
    assert "action checks skipped" in capsys.readouterr().err

"""Where shipped data is found, and how NES_ASISTAN_FLOWS adds to the shipped flows."""

from __future__ import annotations

from pathlib import Path

from assistant.resources import checkout_root, flow_files, packaged, shipped_flows

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_runs_the_repository_flows() -> None:
    assert checkout_root() == ROOT
    assert shipped_flows() == ROOT / "flows"
    assert packaged("card", "profiles.yaml").is_file()


def test_without_the_variable_the_shipped_flows_run() -> None:
    assert flow_files({}) == sorted((ROOT / "flows").glob("*.yaml"))


def test_a_flows_folder_adds_flows_and_replaces_shipped_ones_by_name(tmp_path: Path) -> None:
    (tmp_path / "pin_change.yaml").write_text("flow: pin_change\n", encoding="utf-8")
    (tmp_path / "site_welcome.yaml").write_text("flow: site_welcome\n", encoding="utf-8")
    files = flow_files({"NES_ASISTAN_FLOWS": str(tmp_path)})
    names = [f.name for f in files]
    assert names == sorted(names) and len(names) == len(set(names))
    assert tmp_path / "pin_change.yaml" in files
    assert ROOT / "flows" / "pin_change.yaml" not in files
    assert tmp_path / "site_welcome.yaml" in files
    assert ROOT / "flows" / "main.yaml" in files


def test_a_missing_flows_folder_is_passed_on_for_the_loader_to_report(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert flow_files({"NES_ASISTAN_FLOWS": str(missing)})[-1] == missing

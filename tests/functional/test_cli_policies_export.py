"""`ai-watchdog policies show` and `export`: the shipped policies out of the package, to read
and to start a policy directory of one's own (they are package data in an installed wheel)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from watchdog.cli.main import cli
from watchdog.policies import check_path, default_policies_dir

SHIPPED = sorted(p.name for p in default_policies_dir().iterdir() if p.suffix in (".yaml", ".md"))


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["policies", *args])


def test_show_lists_every_shipped_policy() -> None:
    result = run("show")

    assert result.exit_code == 0, result.output
    for name in ("idle-endpoints", "team-over-budget", "studio-idle-shutdown-disabled"):
        assert name in result.output
    assert "ai-watchdog policies export DIR" in result.output


def test_show_one_policy_is_a_valid_policy_file(tmp_path: Path) -> None:
    result = run("show", "idle-endpoints")

    assert result.exit_code == 0, result.output
    assert result.output.startswith("# idle-endpoints, from the shipped idle.yaml")
    (tmp_path / "mine.yaml").write_text(result.output, encoding="utf-8")
    checked = check_path(tmp_path / "mine.yaml")
    assert checked.problems == () and [p.name for p in checked.policies] == ["idle-endpoints"]


def test_show_an_unknown_name_is_one_line_naming_the_known_ones() -> None:
    result = run("show", "idle-endpoint")

    assert result.exit_code == 2
    assert "no shipped policy or policy file named 'idle-endpoint'" in result.stderr
    assert "idle-endpoints" in result.stderr


def test_export_copies_the_shipped_files_and_they_validate(tmp_path: Path) -> None:
    target = tmp_path / "my-policies"

    result = run("export", str(target))

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in target.iterdir()) == SHIPPED
    assert f"ai-watchdog policies validate {target}" in result.output
    assert check_path(target).problems == ()


def test_export_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "idle.yaml").write_text("# mine\n", encoding="utf-8")

    refused = run("export", str(tmp_path))

    assert refused.exit_code == 2
    assert "idle.yaml exists: nothing was copied; pass --force" in refused.stderr
    assert (tmp_path / "idle.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["idle.yaml"]

    forced = run("export", str(tmp_path), "--force")

    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "idle.yaml").read_text(encoding="utf-8") != "# mine\n"


@pytest.mark.parametrize("command", ["show", "export"])
def test_each_has_help(command: str) -> None:
    result = run(command, "--help")

    assert result.exit_code == 0 and "Usage:" in result.output

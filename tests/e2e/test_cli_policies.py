"""The installed CLI checking policy files and printing their schema (no AWS needed)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import run
from watchdog.policies import default_policies_dir


def test_the_shipped_policies_validate() -> None:
    done = run(["policies", "validate", str(default_policies_dir())])

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("files: OK")


def test_a_bad_file_exits_1_and_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "policies:\n"
        "  - name: x\n"
        "    resource: [sagemaker-endpoint]\n"
        "    conditions:\n"
        "      older_than: soon\n"
    )

    done = run(["policies", "validate", str(bad)])

    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{bad}:5: policies[0].conditions.older_than: "
        "expected a duration such as '30m', '12h', '7d' or '2w'",
        "1 problem",
    ]


def test_a_missing_path_exits_2(tmp_path: Path) -> None:
    done = run(["policies", "validate", str(tmp_path / "nope")])

    assert done.returncode == 2
    assert "no such file or directory" in done.stderr


def test_schema_prints_json() -> None:
    done = run(["policies", "schema"])

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["title"] == "ai-cost-watchdog policy file"

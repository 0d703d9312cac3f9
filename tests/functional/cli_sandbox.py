"""The CLI as a user runs it against the seeded in-process sandbox: one account, one region, a
store and a policy file of the test's own, through `ai-watchdog`'s group (CliRunner)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.functional.demo_snapshot import seed_demo
from watchdog.cli.main import cli
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"

# Stop every idle-or-not endpoint an hour old, once a person approves: every seeded endpoint
# gets a finding that asks for approval.
DELETE_ENDPOINTS = {
    "name": "tear-down",
    "resource": ["sagemaker-endpoint"],
    "conditions": {"older_than": "1h"},
    "action": "delete",
    "approval": {"mode": "required"},
}


@dataclass
class Sandbox:
    tmp: Path
    policy: Path

    @property
    def store_url(self) -> str:
        return f"sqlite:///{self.tmp / 'watchdog.db'}"

    def store(self) -> SqliteStore:
        return SqliteStore(self.tmp / "watchdog.db")

    def run(self, *args: str, scoped: bool = True, **env: str) -> Result:
        """`ai-watchdog ARGS` (the store is WATCHDOG_STORE's); `scoped` adds the region and
        policy file flags."""
        flags = ["--regions", REGION, "--policies", str(self.policy)] if scoped else []
        return CliRunner().invoke(cli, [*args, *flags], env=env)

    def planned(self) -> list[dict[str, Any]]:
        """The findings `plan --format json` prints (it records none)."""
        result = self.run("plan", "--format", "json")
        assert result.exit_code == 0, result.output
        findings: list[dict[str, Any]] = json.loads(result.output)["findings"]
        return findings


def write_policy(path: Path, *policies: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump({"policies": list(policies)}), encoding="utf-8")
    return path


@pytest.fixture
def sandbox(aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    seed_demo()
    monkeypatch.setenv("WATCHDOG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WATCHDOG_COST_EXPLORER", "false")
    monkeypatch.delenv("WATCHDOG_SLACK_APPROVERS", raising=False)
    box = Sandbox(tmp_path, write_policy(tmp_path / "policies.yaml", DELETE_ENDPOINTS))
    monkeypatch.setenv("WATCHDOG_STORE", box.store_url)
    return box

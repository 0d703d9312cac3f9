"""Everyday mistakes end as one line on stderr and exit code 2, before any work (issue #13).

Through `ai-watchdog`'s own group, as a user runs it, with moto in-process where AWS is needed.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner, Result

from tests.functional import builders
from watchdog.cli.main import cli

# Every command that talks to AWS, with the arguments it needs to get that far.
AWS_COMMANDS = [
    ["scan"],
    ["plan"],
    ["apply"],
    ["restore", "audit-1"],
    ["leftovers", "--domain-id", "d-abc123"],
    ["audit"],
    ["approve", "f-1"],
    ["daemon"],
]


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def one_line_error(result: Result) -> str:
    """The error a user sees: exit 2, exactly one line on stderr, no traceback."""
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes the user's own store or caches, nor leaves --profile's AWS_PROFILE set."""
    monkeypatch.setenv("AWS_PROFILE", "restored-to-unset")  # recorded, so undone after the test
    monkeypatch.delenv("AWS_PROFILE")
    monkeypatch.setenv("WATCHDOG_STORE", f"sqlite:///{tmp_path}/watchdog.db")
    monkeypatch.setenv("WATCHDOG_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("command", AWS_COMMANDS, ids=lambda c: c[0])
def test_an_unknown_aws_profile_is_one_line_for_every_command(command: list[str]) -> None:
    line = one_line_error(run(*command, AWS_PROFILE="nosuchprofile"))

    assert "AWS profile 'nosuchprofile' not found" in line


@pytest.mark.parametrize("command", AWS_COMMANDS, ids=lambda c: c[0])
def test_every_aws_command_takes_profile_and_refuses_an_unknown_one(command: list[str]) -> None:
    line = one_line_error(run(*command, "--profile", "nosuchprofile"))

    assert "AWS profile 'nosuchprofile' not found" in line


def test_profile_names_the_aws_profile_used(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "aws-config"
    config.write_text("[profile west]\nregion = eu-west-1\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    builders.model(builders.sagemaker("eu-west-1"), "in-west")

    result = run("scan", "--profile", "west", "--format", "json")

    assert result.exit_code == 0, result.output
    names = {(r["name"], r["region"]) for r in json.loads(result.stdout)["resources"]}
    assert names == {("in-west", "eu-west-1")}


def test_an_unknown_region_is_one_line() -> None:
    line = one_line_error(run("scan", AWS_DEFAULT_REGION="nowhere-1"))

    assert "unknown AWS region 'nowhere-1'" in line


def test_an_endpoint_url_that_is_not_a_url_is_one_line() -> None:
    line = one_line_error(run("plan", AWS_ENDPOINT_URL="not-a-url"))

    assert "AWS endpoint URL 'not-a-url' is not a URL" in line


def dead_port() -> int:
    """A port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_dead_endpoint_says_it_cannot_be_reached_and_says_it_fast() -> None:
    url = f"http://127.0.0.1:{dead_port()}"
    started = time.monotonic()

    line = one_line_error(run("scan", AWS_ENDPOINT_URL=url))

    assert f"cannot reach the AWS endpoint {url}" in line
    assert "credentials" not in line
    assert time.monotonic() - started < 8


def test_an_unwritable_output_is_refused_before_anything_is_scanned() -> None:
    # The endpoint is dead: had the scan run first, that would be the error.
    result = run(
        "scan",
        "--output",
        "/nonexistent-dir/x.json",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{dead_port()}",
    )

    assert "--output /nonexistent-dir/x.json: no such directory" in one_line_error(result)


def test_a_missing_dynamodb_table_is_one_line_before_the_scan(aws: None) -> None:
    builders.model(builders.sagemaker(), "a-model")

    line = one_line_error(run("apply", "--store", "dynamodb://no-such-table"))

    assert "DynamoDB table no-such-table not found" in line


def test_a_store_under_a_file_is_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "hostname"
    a_file.write_text("x", encoding="utf-8")

    line = one_line_error(run("audit", "--store", f"sqlite:///{a_file}/x.db"))

    assert f"{a_file} is not a directory" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_store_in_a_read_only_directory_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)

    line = one_line_error(run("audit", "--store", f"sqlite:///{folder}/x.db"))

    assert "x.db" in line


def scanned_shards(*args: str) -> int:
    result = run("scan", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    shards: int = json.loads(result.stdout)["stats"]["shards"]
    return shards


def test_a_region_named_twice_is_scanned_once(aws: None) -> None:
    assert scanned_shards("--regions", "us-east-1,us-west-2,us-east-1") == 2


def test_an_account_named_twice_is_scanned_once(aws: None) -> None:
    assert scanned_shards("--accounts", "current,current") == 1


def test_a_bad_setting_names_its_variable_and_the_accepted_values() -> None:
    line = one_line_error(run("scan", WATCHDOG_MODE="enforce-now"))

    assert line == "Error: WATCHDOG_MODE: 'enforce-now' is not accepted: use dry-run or enforce"


@pytest.mark.parametrize(
    ("env", "flags", "named"),
    [
        ({"WATCHDOG_MAX_WORKERS": "0"}, [], "WATCHDOG_MAX_WORKERS"),
        ({}, ["--max-workers", "0"], "--max-workers"),
        ({}, ["--regions", ","], "--regions"),
        ({"WATCHDOG_LOG_FORMAT": "xml"}, [], "WATCHDOG_LOG_FORMAT: 'xml' is not accepted: use "),
        ({"WATCHDOG_SLACK_DIGEST": "maybe"}, [], "use true or false"),
    ],
)
def test_a_bad_value_names_the_flag_or_variable_it_came_from(
    env: dict[str, str], flags: list[str], named: str
) -> None:
    line = one_line_error(run("scan", *flags, **env))

    assert named in line
    assert "Usage:" not in line


def test_watchdog_mode_dry_run_refuses_execute(aws: None, tmp_path: Path) -> None:
    line = one_line_error(run("apply", "--execute", WATCHDOG_MODE="dry-run"))

    assert "WATCHDOG_MODE=dry-run forbids --execute" in line
    assert "WATCHDOG_MODE=enforce" in line


@pytest.mark.parametrize("mode", [None, "enforce"])
def test_execute_runs_when_the_mode_is_unset_or_enforce(aws: None, mode: str | None) -> None:
    env = {"WATCHDOG_MODE": mode} if mode else {}

    result = run("apply", "--execute", **env)

    assert result.exit_code == 3, result.output  # nothing to do, but it was allowed to try
    assert "forbids" not in result.output


def test_restore_and_leftovers_honour_the_dry_run_mode_too(aws: None) -> None:
    region = boto3.Session().region_name or "us-east-1"
    for command in (
        ["restore", "audit-1", "--execute"],
        ["leftovers", "--domain-id", "d-abc123", "--region", region, "--execute"],
    ):
        line = one_line_error(run(*command, WATCHDOG_MODE="dry-run"))
        assert "WATCHDOG_MODE=dry-run forbids --execute" in line

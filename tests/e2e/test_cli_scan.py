"""The installed CLI scanning the seeded sandbox over HTTP, as a user would run it."""

from __future__ import annotations

import json
from pathlib import Path

from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, MEMBER_ROLE_NAME

from tests.e2e.conftest import run
from watchdog.kinds import kind_names

ORG_SCAN = [
    "scan",
    "--accounts",
    "organization",
    "--member-role",
    MEMBER_ROLE_NAME,
    "--external-id",
    DEMO_EXTERNAL_ID,
    "--regions",
    "us-east-1,us-west-2",
]


def test_organization_scan_as_json_covers_every_kind_in_both_accounts_and_regions(
    sandbox_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "scan.json"

    done = run([*ORG_SCAN, "--format", "json", "--output", str(out)], sandbox_url)

    assert done.returncode == 0, done.stderr
    answer = json.loads(out.read_text())
    resources, stats = answer["resources"], answer["stats"]
    assert answer["errors"] == []
    assert {r["kind"] for r in resources} == set(kind_names())
    assert len({r["account"] for r in resources}) == 2
    assert {r["region"] for r in resources} == {"us-east-1", "us-west-2"}
    assert any(r["tags"].get("watchdog:exempt") == "true" for r in resources)
    assert stats["api_calls"] == sum(stats["api_calls_by_operation"].values()) > 0
    assert stats["api_calls_by_operation"]["sts:AssumeRole"] == 1


def test_table_groups_by_account_and_region(sandbox_url: str) -> None:
    done = run([*ORG_SCAN, "--format", "table"], sandbox_url)

    assert done.returncode == 0, done.stderr
    assert done.stdout.count("account ") >= 4  # two accounts x two regions
    assert "sagemaker-endpoint" in done.stdout
    assert "API calls" in done.stdout


def test_without_flags_json_goes_to_stdout_for_the_session_region(sandbox_url: str) -> None:
    done = run(["scan", "--format", "json"], sandbox_url, AWS_DEFAULT_REGION="us-west-2")

    assert done.returncode == 0, done.stderr
    assert {r["region"] for r in json.loads(done.stdout)["resources"]} == {"us-west-2"}


def test_bad_flags_fail_with_a_message_and_no_traceback(sandbox_url: str) -> None:
    cases = [
        (["scan", "--regions", "us-eest-1"], "us-east-1"),
        (["scan", "--accounts", "prod"], "not an account"),
        (["scan", "--regions", "all,us-east-1"], "cannot be combined"),
        (["scan", "--format", "xml"], "Invalid value for '--format'"),
        (["scan", "--max-workers", "0"], "--max-workers: 0:"),
    ]
    for args, message in cases:
        done = run(args, sandbox_url)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert message in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_missing_credentials_fail_clearly(tmp_path: Path) -> None:
    done = run(
        ["scan"],
        AWS_ACCESS_KEY_ID="",
        AWS_SECRET_ACCESS_KEY="",
        AWS_SESSION_TOKEN="",
        AWS_SECURITY_TOKEN="",
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
    )

    assert done.returncode == 2
    assert "no AWS credentials found" in done.stderr
    assert "Traceback" not in done.stderr


def test_python_dash_m_watchdog_is_the_same_command() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "watchdog", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "scan" in done.stdout and "sandbox" in done.stdout


def test_a_second_scan_reuses_the_configs_it_described_and_finds_the_same(
    sandbox_url: str, tmp_path: Path
) -> None:
    """Endpoint configs never change: the next run recalls their descriptions from the cache."""
    cache = str(tmp_path / "cache")
    answers = []
    for attempt in ("first", "second"):
        out = tmp_path / f"{attempt}.json"
        done = run(
            [*ORG_SCAN, "--format", "json", "--output", str(out)],
            sandbox_url,
            WATCHDOG_CACHE_DIR=cache,
        )
        assert done.returncode == 0, done.stderr
        answers.append(json.loads(out.read_text()))

    first, second = answers
    calls = [a["stats"]["api_calls_by_operation"] for a in answers]
    assert calls[0]["sagemaker:DescribeEndpointConfig"] > 0
    assert "sagemaker:DescribeEndpointConfig" not in calls[1]
    assert second["resources"] == first["resources"]


def test_a_cache_directory_that_cannot_be_written_only_costs_the_describes(
    sandbox_url: str, tmp_path: Path
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")

    done = run(["scan", "--format", "json"], sandbox_url, WATCHDOG_CACHE_DIR=str(blocked))

    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert json.loads(done.stdout)["resources"]

"""The installed CLI planning over the seeded sandbox over HTTP, as a user would run it."""

from __future__ import annotations

import json
from pathlib import Path

from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, MEMBER_ROLE_NAME

from tests.e2e.conftest import run

ORG_PLAN = [
    "plan",
    "--accounts",
    "organization",
    "--member-role",
    MEMBER_ROLE_NAME,
    "--external-id",
    DEMO_EXTERNAL_ID,
    "--regions",
    "us-east-1,us-west-2",
]


def test_plan_as_json_has_sorted_priced_findings_with_ordered_steps(
    sandbox_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"

    done = run(
        [*ORG_PLAN, "--format", "json", "--output", str(out)],
        sandbox_url,
        WATCHDOG_CACHE_DIR=str(tmp_path / "cache"),
    )

    assert done.returncode == 0, done.stderr
    answer = json.loads(out.read_text())
    findings = answer["findings"]
    assert answer["errors"] == []
    costs = [f["monthly_cost_usd"] or 0 for f in findings]
    assert costs == sorted(costs, reverse=True)
    idle = [f for f in findings if f["policy"] == "idle-endpoints"]
    assert idle
    for finding in idle:
        assert finding["action"] == "delete"
        assert finding["resource"]["kind"] == "sagemaker-endpoint"
        assert finding["evidence"]["state"] == "idle"
        assert finding["cost_basis"] == "price-list"
        ops = [s["op"] for s in finding["steps"]]
        # An endpoint Bedrock Marketplace deployed is deleted through Bedrock, which deletes it.
        users = finding["resource"]["used_by_arns"]
        marketplace = any(":marketplace-model-endpoint/" in arn for arn in users)
        assert ops[0] == (
            "bedrock:DeleteMarketplaceModelEndpoint" if marketplace else "sagemaker:DeleteEndpoint"
        )
        seen: set[str] = set()
        for step in finding["steps"]:
            assert set(step["depends_on"]) <= seen
            seen.add(step["id"])
    summary = answer["summary"]
    assert summary["monthly_savings_usd"] > 0
    assert answer["stats"]["get_metric_data_calls"] == 4


def test_plan_table_reads_as_a_report(sandbox_url: str, tmp_path: Path) -> None:
    done = run(ORG_PLAN, sandbox_url, WATCHDOG_CACHE_DIR=str(tmp_path / "cache"))

    assert done.returncode == 0, done.stderr
    assert "Findings, by monthly cost" in done.stdout
    assert "sagemaker:DeleteEndpoint" in done.stdout
    assert "Potential savings" in done.stdout
    assert "committed until" in done.stdout


def test_plan_with_broken_policies_fails_with_the_line(sandbox_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policies:\n  - name: x\n    resource: [sagemaker-endpoint]\n    action: zap\n")

    done = run([*ORG_PLAN, "--policies", str(bad)], sandbox_url)

    assert done.returncode == 2
    assert f"{bad}:4: policies[0].action: must be one of: notify, stop, delete" in done.stderr
    assert "Traceback" not in done.stderr


def test_plan_with_a_missing_policy_directory_fails_clearly(sandbox_url: str) -> None:
    done = run([*ORG_PLAN, "--policies", "/nonexistent/policies"], sandbox_url)

    assert done.returncode == 2
    assert "/nonexistent/policies: no such policy file or directory" in done.stderr

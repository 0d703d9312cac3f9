"""`ai-watchdog snooze` and `exempt`: Slack's buttons from a shell, same rules, same code."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime, timedelta

import boto3

from tests.functional.cli_sandbox import REGION, Sandbox, sandbox

__all__ = ["sandbox"]


def test_snooze_a_planned_finding_for_three_days(sandbox: Sandbox) -> None:
    first = sandbox.planned()[0]

    result = sandbox.run("snooze", first["id"], "--days", "3")

    assert result.exit_code == 0, result.output
    me = getpass.getuser()
    assert f"Snoozed finding {first['id']} for 3 days as {me}" in result.output
    stored = sandbox.store().get_finding(first["id"])
    assert stored is not None and stored.state == "snoozed"
    assert stored.state_detail == f"snoozed by {me} for 3 days"
    assert stored.state_until is not None
    assert stored.state_until - datetime.now(UTC) > timedelta(days=2, hours=23)


def test_exempt_tags_the_resource_and_resolves_the_finding(sandbox: Sandbox) -> None:
    first = sandbox.planned()[0]

    result = sandbox.run("exempt", first["id"])

    assert result.exit_code == 0, result.output
    assert "watchdog:exempt=true" in result.output
    arn = first["resource"]["arn"]
    tags = boto3.client("sagemaker", region_name=REGION).list_tags(ResourceArn=arn)["Tags"]
    assert {"Key": "watchdog:exempt", "Value": "true"} in tags
    stored = sandbox.store().get_finding(first["id"])
    assert stored is not None and stored.state == "resolved"
    assert stored.state_detail.startswith(f"exempted by {getpass.getuser()}")


def test_the_approver_allowlist_refuses_the_os_user(sandbox: Sandbox) -> None:
    first = sandbox.planned()[0]

    snoozed = sandbox.run("snooze", first["id"], WATCHDOG_SLACK_APPROVERS="U0ALICE")
    exempted = sandbox.run("exempt", first["id"], WATCHDOG_SLACK_APPROVERS="U0ALICE")

    for result in (snoozed, exempted):
        assert result.exit_code == 2
        assert "limited to WATCHDOG_SLACK_APPROVERS" in result.stderr
    assert sandbox.store().list_findings() == []

"""What `apply` says about a finding it leaves alone (issue #13, 9): an approved stop waiting
for its action window says who approved it and when the window opens; an exemption tag added
after the approval is named as why `--only ARN` does nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.functional.act.conftest import Applier, sagemaker, teardown_policy
from watchdog.act import ApplyRefused
from watchdog.store.base import Approval


def approve(applier: Applier, finding_id: str, action: str = "stop") -> None:
    now = applier.clock.now()
    applier.store.add_approval(
        Approval(
            id=f"ap-{finding_id}",
            finding_id=finding_id,
            action=action,  # type: ignore[arg-type]
            approver="alice",
            via="cli",
            created_at=now,
            expires_at=now + timedelta(hours=24),
        )
    )


def closed_window(now: datetime) -> dict[str, str]:
    """A one-minute window that opened an hour ago, so it next opens tomorrow."""
    start = (now - timedelta(hours=1)).astimezone(UTC)
    end = start + timedelta(minutes=1)
    return {"timezone": "UTC", "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}


@pytest.mark.parametrize("execute", [False, True])
def test_an_approved_stop_outside_its_window_says_who_and_when_it_opens(
    applier: Applier, execute: bool
) -> None:
    now = applier.clock.now()
    policy = teardown_policy(
        ["sagemaker-notebook-instance"],
        approval="required",
        action="stop",
        action_window=closed_window(now),
    )
    first = applier(policy, execute=False)
    target = first.findings[0]
    approve(applier, target.finding_id)

    result = applier(policy, execute=execute)

    outcome = next(f for f in result.findings if f.finding_id == target.finding_id)
    opens = (now - timedelta(hours=1)).astimezone(UTC) + timedelta(days=1)
    assert outcome.fate == "waiting"
    assert outcome.reason == (
        f"approved by alice via cli; waits for its window, opens at {opens:%Y-%m-%d %H:%M} UTC"
    )
    assert outcome.approved_by == "alice via cli"
    other = next(f for f in result.findings if f.finding_id != target.finding_id)
    assert "it needs approval too (ai-watchdog approve" in other.reason


def test_an_exemption_added_after_approval_is_named_by_only(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-endpoint"], approval="required")
    target = applier(policy, execute=False).findings[0]
    approve(applier, target.finding_id, "delete")
    sagemaker().add_tags(
        ResourceArn=target.resource_arn, Tags=[{"Key": "watchdog:exempt", "Value": "true"}]
    )

    with pytest.raises(ApplyRefused) as refused:
        applier(policy, only=(target.resource_arn,))

    assert str(refused.value) == (
        f"nothing to apply for {target.resource_arn}: exempt: tagged watchdog:exempt=true"
    )

"""The pure rules apply decides with: identity, readiness, automatic approval, the breaker and
the verdict an exit code is made from."""

from __future__ import annotations

from datetime import timedelta

from botocore.exceptions import ClientError

from tests.unit.evaluate.factories import NOW, endpoint
from watchdog.act import ApplyResult, ApplySummary, FindingOutcome, StepOutcome
from watchdog.act.admission import automatic_approval, changes, fingerprint, not_ready
from watchdog.act.executor import Breaker
from watchdog.findings import Evidence, Finding, Step
from watchdog.store.base import StoredFinding

CONFIG_ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/c"


def finding(**fields: object) -> Finding:
    resource = endpoint("e")
    base: dict[str, object] = {
        "id": "f-1",
        "resource": resource,
        "policy": "idle",
        "action": "delete",
        "reason": "idle",
        "evidence": Evidence(),
        "monthly_cost_usd": 100.0,
        "cost_basis": "price-list",
        "confidence": "high",
        "steps": (
            Step(
                id="s-1",
                op="sagemaker:DeleteEndpoint",
                target_arn=resource.arn,
                target_kind="sagemaker-endpoint",
                target_name="e",
            ),
        ),
    }
    return Finding.model_validate(base | fields)


def stored(first_seen_hours_ago: float, state: str = "open", detail: str = "") -> StoredFinding:
    seen = NOW - timedelta(hours=first_seen_hours_ago)
    return StoredFinding(
        finding=finding(),
        first_seen=seen,
        last_seen=seen,
        last_run_id="r",
        state=state,  # type: ignore[arg-type]
        state_detail=detail,
        state_changed_at=seen,
    )


def test_the_same_resource_with_fewer_targets_may_proceed() -> None:
    record = endpoint("e")
    assert changes(record, [record.arn, CONFIG_ARN], record, [record.arn]) == []


def test_a_recreated_resource_or_a_new_target_inside_is_a_change() -> None:
    record = endpoint("e")
    reborn = record.model_copy(update={"created_at": NOW})
    found = changes(record, [record.arn], reborn, [record.arn, CONFIG_ARN])
    assert any(line.startswith("created_at was") for line in found)
    assert any(CONFIG_ARN in line for line in found)
    assert fingerprint(record, [record.arn]) != fingerprint(reborn, [record.arn])


def test_tags_and_status_are_not_part_of_the_identity() -> None:
    record = endpoint("e")
    retagged = record.model_copy(update={"tags": {"owner": "x"}, "status": "Updating"})
    assert changes(record, [], retagged, []) == []


def test_automatic_approval_waits_for_the_grace_period_from_first_seen() -> None:
    graceful = finding(approval="automatic", approval_grace_hours=24)
    approver, why = automatic_approval(graceful, stored(first_seen_hours_ago=23), NOW)
    assert approver is None and "grace period" in why
    approver, _ = automatic_approval(graceful, stored(first_seen_hours_ago=24), NOW)
    assert approver == "policy:idle"
    # Never seen before: the grace period starts now.
    assert automatic_approval(graceful, None, NOW)[0] is None


def test_blocked_steps_windows_and_snoozes_keep_a_finding_waiting() -> None:
    assert not_ready(finding(), None) is None
    step = finding().steps[0].model_copy(update={"blocked": "committed until 2027-01-01"})
    assert not_ready(finding(steps=(step,)), None) == (
        "waiting",
        "sagemaker:DeleteEndpoint on e: committed until 2027-01-01",
    )
    fate, why = not_ready(finding(actions_allowed_now=False), None) or ("", "")
    assert fate == "waiting" and "action window" in why
    assert not_ready(finding(), stored(1, state="snoozed", detail="by bob")) == (
        "waiting",
        "snoozed: by bob",
    )


def throttled() -> ClientError:
    return ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate"}}, "X")


def test_the_breaker_opens_on_failures_or_on_throttling() -> None:
    breaker = Breaker(max_failures=3, max_throttles=2)
    breaker.record_failure(throttled())
    assert not breaker.open
    breaker.record_throttle()
    assert breaker.open and "throttled" in breaker.why()
    plain = Breaker(max_failures=2, max_throttles=5)
    plain.record_failure()
    plain.record_failure()
    assert plain.open and "2 steps failed" in plain.why()


def result(*fates: str, stopped: str | None = None, step_fate: str = "done") -> ApplyResult:
    step = StepOutcome(
        step_id="s",
        op="sagemaker:DeleteEndpoint",
        target_arn="a",
        target_kind="sagemaker-endpoint",
        target_name="e",
        fate=step_fate,  # type: ignore[arg-type]
    )
    outcomes = [
        FindingOutcome(
            finding_id=f"f-{i}",
            policy="p",
            action="delete",
            resource_arn="a",
            resource_kind="sagemaker-endpoint",
            resource_name="e",
            account="1",
            region="r",
            fate=fate,  # type: ignore[arg-type]
            steps=[step],
        )
        for i, fate in enumerate(fates)
    ]
    summary = ApplySummary(findings=0, by_fate={}, steps_by_fate={}, monthly_savings_usd=0)
    return ApplyResult(
        run_id="r",
        mode="execute",
        generated_at=NOW,
        findings=outcomes,
        summary=summary,
        stopped=stopped,  # type: ignore[arg-type]
    )


def test_the_verdict_distinguishes_the_four_outcomes() -> None:
    assert result().verdict() == "nothing-to-do"
    assert result("needs-approval", "waiting").verdict() == "nothing-to-do"
    assert result("done", "needs-approval").verdict() == "done"
    assert result("done", "partial").verdict() == "partial"
    assert result("done", "cancelled").verdict() == "partial"
    assert result("done", stopped="deadline").verdict() == "partial"
    assert result("cancelled").verdict() == "refused"
    breaker = result("partial", stopped="circuit-breaker", step_fate="failed")
    assert breaker.verdict() == "refused"

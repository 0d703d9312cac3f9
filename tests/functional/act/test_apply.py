"""`apply` on the sandbox: what runs, in what order, on whose approval, and what is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from watchdog_sandbox.seed import SeedSummary

from tests.functional.act.conftest import REGION, Applier, sagemaker, teardown_policy
from watchdog.act import ApplyRefused, ScopeClients
from watchdog.aws.scope import Scope
from watchdog.store.base import Approval


def endpoint_names() -> set[str]:
    return {e["EndpointName"] for e in sagemaker().list_endpoints()["Endpoints"]}


def studio_left() -> dict[str, int]:
    client = sagemaker()
    return {
        "domains": len(client.list_domains()["Domains"]),
        "profiles": len(client.list_user_profiles()["UserProfiles"]),
        "spaces": len(client.list_spaces()["Spaces"]),
        "apps": len([a for a in client.list_apps()["Apps"] if a["Status"] != "Deleted"]),
    }


def test_a_dry_run_shows_every_step_and_changes_nothing(applier: Applier) -> None:
    before = endpoint_names()

    result = applier(teardown_policy(["sagemaker-endpoint"]), execute=False)

    assert result.mode == "dry-run"
    assert result.verdict() == "done"
    fates = {s.fate for f in result.findings for s in f.steps}
    assert fates == {"would-run"}
    assert endpoint_names() == before
    assert applier.store.list_audit() == []
    assert all(s.state == "open" for s in applier.store.list_findings())


def test_a_studio_domain_comes_down_in_order_and_every_step_is_audited(applier: Applier) -> None:
    result = applier(teardown_policy(["sagemaker-domain"]))

    [outcome] = result.findings
    assert outcome.fate == "done", outcome.reason
    assert [s.op for s in outcome.steps][-1] == "sagemaker:DeleteDomain"
    assert studio_left() == {"domains": 0, "profiles": 0, "spaces": 0, "apps": 0}
    assert applier.clock.slept > 0  # the apps were deleted asynchronously and waited for
    audit = applier.store.list_audit(limit=1000)
    done = [e for e in audit if e.outcome == "done"]
    started = [e for e in audit if e.outcome == "started"]
    assert len(done) == len(started) == len(outcome.steps)
    domain = next(e for e in done if e.op == "sagemaker:DeleteDomain")
    assert domain.description["describe"]["DomainName"] == "genai-studio"
    assert domain.approved_by == "policy:tear-down"
    stored = applier.store.get_finding(outcome.finding_id)
    assert stored is not None and stored.state == "done"
    # The EFS home volume and the NFS security groups stay, and are reported.
    [left] = result.leftovers
    assert left.domain_arn == outcome.resource_arn
    assert left.file_system is not None
    assert sorted(g.name.split("-nfs-")[0] for g in left.security_groups) == [
        "security-group-for-inbound",
        "security-group-for-outbound",
    ]


def test_without_approval_nothing_runs_and_an_approval_is_used_once(
    applier: Applier, seeded: SeedSummary
) -> None:
    policy = teardown_policy(["sagemaker-notebook-instance"], approval="required")
    first = applier(policy)
    assert {f.fate for f in first.findings} == {"needs-approval"}
    assert first.verdict() == "nothing-to-do"
    target = next(f for f in first.findings if f.resource_name == "legacy-experiments")
    now = applier.clock.now()
    applier.store.add_approval(
        Approval(
            id="ap-1",
            finding_id=target.finding_id,
            action="delete",
            approver="alice@example.com",
            via="cli",
            created_at=now,
            expires_at=now + timedelta(hours=24),
        )
    )

    second = applier(policy)

    [done] = [f for f in second.findings if f.fate == "done"]
    assert done.resource_name == "legacy-experiments"
    assert done.approved_by == "alice@example.com via cli"
    names = {
        n["NotebookInstanceName"]
        for n in sagemaker().list_notebook_instances()["NotebookInstances"]
    }
    assert "legacy-experiments" not in names
    assert applier.store.pending_approval(target.finding_id, "delete", now) is None


def test_a_resource_recreated_since_approval_is_cancelled_and_its_approval_used_up(
    applier: Applier,
) -> None:
    policy = teardown_policy(["sagemaker-endpoint"], approval="required")
    first = applier(policy)
    target = next(f for f in first.findings if f.resource_name == "summarizer-team-a")
    now = applier.clock.now()
    applier.store.add_approval(
        Approval(
            id="ap-2",
            finding_id=target.finding_id,
            action="delete",
            approver="bob",
            via="cli",
            created_at=now,
            expires_at=now + timedelta(hours=24),
        )
    )
    # Someone deletes the endpoint and creates a new one under the same name after the approval.
    client = sagemaker()
    config = client.describe_endpoint(EndpointName="summarizer-team-a")["EndpointConfigName"]
    client.delete_endpoint(EndpointName="summarizer-team-a")
    client.create_endpoint(EndpointName="summarizer-team-a", EndpointConfigName=config)
    while client.describe_endpoint(EndpointName="summarizer-team-a")["EndpointStatus"] != (
        "InService"
    ):
        pass  # Creating, for the sandbox's two reads
    applier.clock.sleep(2 * 3600)  # old enough to be flagged again, within the approval's day

    second = applier(policy)

    [cancelled] = [f for f in second.findings if f.finding_id == target.finding_id]
    assert cancelled.fate == "cancelled"
    assert "changed since it was found" in cancelled.reason
    assert "summarizer-team-a" in endpoint_names()
    assert applier.store.pending_approval(target.finding_id, "delete", now) is None


def test_a_deadline_parks_the_teardown_and_the_next_run_finishes_it(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-domain"])
    deadline = applier.clock.now() + timedelta(seconds=21)  # 20 s margin: one poll's time

    first = applier(policy, deadline=deadline)

    assert first.stopped == "deadline"
    assert first.verdict() == "partial"
    [parked] = first.findings
    assert parked.fate == "partial"
    assert studio_left()["domains"] == 1
    stored = applier.store.get_finding(parked.finding_id)
    assert stored is not None and stored.state == "executing"

    second = applier(policy)

    [finished] = second.findings
    assert finished.fate == "done" and finished.resumed
    assert studio_left() == {"domains": 0, "profiles": 0, "spaces": 0, "apps": 0}
    started = [e for e in applier.store.list_audit(limit=1000) if e.outcome == "started"]
    per_step: dict[str | None, int] = {}
    for entry in started:
        per_step[entry.step_id] = per_step.get(entry.step_id, 0) + 1
    assert set(per_step.values()) == {1}, "a step was called twice"


def test_an_exemption_added_mid_teardown_cancels_the_rest(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-domain"])
    applier(policy, deadline=applier.clock.now() + timedelta(seconds=21))
    client = sagemaker()
    profile = client.list_user_profiles()["UserProfiles"][0]
    arn = client.describe_user_profile(
        DomainId=profile["DomainId"], UserProfileName=profile["UserProfileName"]
    )["UserProfileArn"]
    client.add_tags(ResourceArn=arn, Tags=[{"Key": "watchdog:exempt", "Value": "true"}])

    result = applier(policy)

    [outcome] = result.findings
    assert outcome.fate == "cancelled"
    assert "exempt" in outcome.reason
    assert studio_left()["domains"] == 1
    assert studio_left()["profiles"] >= 1
    stored = applier.store.get_finding(outcome.finding_id)
    assert stored is not None and stored.state == "cancelled"


class Refusing:
    """Clients whose SageMaker DeleteEndpoint always fails, as a broken permission would."""

    def __init__(self, scope: Scope, code: str = "AccessDeniedException") -> None:
        self.inner = ScopeClients(scope)
        self.code = code

    def client(self, service: str, account: str, region: str) -> Any:
        real = self.inner.client(service, account, region)
        code = self.code

        class Proxy:
            def __getattr__(self, name: str) -> Any:
                if name == "delete_endpoint":

                    def refuse(**_: Any) -> None:
                        raise ClientError(
                            {"Error": {"Code": code, "Message": "not allowed"}}, "DeleteEndpoint"
                        )

                    return refuse
                return getattr(real, name)

        return Proxy()


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException"])
def test_the_circuit_breaker_stops_a_run_of_failures(applier: Applier, code: str) -> None:
    before = endpoint_names()

    result = applier(
        teardown_policy(["sagemaker-endpoint"]),
        clients=lambda scope: Refusing(scope, code),
        max_failures=2,
        max_throttles=2,
    )

    assert result.stopped == "circuit-breaker"
    failed = [s for f in result.findings for s in f.steps if s.fate == "failed"]
    assert len(failed) == 2
    assert result.verdict() == "refused"
    assert endpoint_names() == before
    assert "stopped acting" in result.stopped_detail


def test_only_limits_the_run_and_an_unknown_arn_is_refused(
    applier: Applier, seeded: SeedSummary
) -> None:
    policy = teardown_policy(["sagemaker-endpoint"])
    plan = applier(policy, execute=False)
    target = next(f for f in plan.findings if f.resource_name == "mistral-7b-eval")

    result = applier(policy, only=(target.resource_arn,))

    assert [f.resource_name for f in result.findings] == ["mistral-7b-eval"]
    assert "mistral-7b-eval" not in endpoint_names()
    with pytest.raises(ApplyRefused, match="no stop, delete or park finding"):
        applier(policy, only=(f"arn:aws:sagemaker:{REGION}:123456789012:endpoint/nope",))

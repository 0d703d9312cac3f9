"""The last look: right before an idle endpoint is deleted, its traffic is read again at one
minute; traffic since the plan's reading keeps it, says why, and gives it back to its owner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from watchdog_sandbox.seed import SeedSummary

from tests.functional.act.conftest import REGION, Applier, sagemaker, teardown_policy
from watchdog.act import ScopeClients
from watchdog.aws.scope import Scope

IDLE_WEEK = {"idle": {"window": "7d"}}


def idle_in(seeded: SeedSummary, region: str = REGION) -> str:
    names = seeded.idle_names("sagemaker-endpoint", window=timedelta(days=7))
    here = {e["EndpointName"] for e in sagemaker().list_endpoints()["Endpoints"]}
    return next(n for n in names if n in here)


class UsedMeanwhile:
    """The clients the teardown acts through; the first time it asks for CloudWatch (its last
    look), someone has just called the endpoint: a datapoint two minutes old, which the plan,
    made before, could not see."""

    def __init__(self, scope: Scope, endpoint: str) -> None:
        self.inner, self.endpoint, self.used = ScopeClients(scope), endpoint, False

    def client(self, service: str, account: str, region: str) -> Any:
        if service == "cloudwatch" and not self.used:
            self.used = True
            boto3.client("cloudwatch", region_name=region).put_metric_data(
                Namespace="AWS/SageMaker",
                MetricData=[
                    {
                        "MetricName": "Invocations",
                        "Dimensions": [
                            {"Name": "EndpointName", "Value": self.endpoint},
                            {"Name": "VariantName", "Value": "AllTraffic"},
                        ],
                        "Timestamp": datetime.now(UTC) - timedelta(minutes=2),
                        "Value": 5.0,
                    }
                ],
            )
        return self.inner.client(service, account, region)


def test_traffic_since_the_plan_keeps_an_idle_endpoint_and_says_why(
    applier: Applier, seeded: SeedSummary
) -> None:
    name = idle_in(seeded)
    policy = teardown_policy(["sagemaker-endpoint"], conditions=IDLE_WEEK)

    result = applier(policy, clients=lambda scope: UsedMeanwhile(scope, name))

    [outcome] = [f for f in result.findings if f.resource_name == name]
    assert outcome.fate == "cancelled"
    assert outcome.reason.startswith("in use: 5 invocations in the last 3 hours, the latest at")
    assert "approve it again" in outcome.reason
    assert name in {e["EndpointName"] for e in sagemaker().list_endpoints()["Endpoints"]}
    stored = applier.store.get_finding(outcome.finding_id)
    assert stored is not None and stored.state == "cancelled"
    audit = applier.store.list_audit(limit=1000)
    assert not [e for e in audit if e.target_arn == outcome.resource_arn and e.outcome == "done"]
    # The others judged idle went: one look for all of them, and only this one was in use.
    gone = [f for f in result.findings if f.fate == "done"]
    assert gone


def test_without_new_traffic_the_idle_endpoints_go_after_one_look_for_all(
    applier: Applier, seeded: SeedSummary
) -> None:
    policy = teardown_policy(["sagemaker-endpoint"], conditions=IDLE_WEEK)
    planned = applier(policy, execute=False)

    result = applier(policy)

    deleted = [f for f in result.findings if f.fate == "done"]
    assert len(deleted) >= 2 and all(f.fate == "done" for f in result.findings)
    looks = result.api_calls_by_operation["cloudwatch:GetMetricData"]
    plan_reads = planned.api_calls_by_operation["cloudwatch:GetMetricData"]
    assert looks == plan_reads + 1  # one last look, for every endpoint of the region at once


CANVAS_IDLE = {"idle": {"metric": "inactivity", "window": "2h"}}


class CanvasUsedMeanwhile:
    """Alice logs back in to Canvas between the plan and its teardown: Canvas publishes a
    TimeSinceLastActive of 30 seconds, two minutes ago."""

    def __init__(self, scope: Scope, domain_id: str) -> None:
        self.inner, self.domain_id, self.used = ScopeClients(scope), domain_id, False

    def client(self, service: str, account: str, region: str) -> Any:
        if service == "cloudwatch" and not self.used:
            self.used = True
            boto3.client("cloudwatch", region_name=region).put_metric_data(
                Namespace="/aws/sagemaker/Canvas/AppActivity",
                MetricData=[
                    {
                        "MetricName": "TimeSinceLastActive",
                        "Dimensions": [
                            {"Name": "DomainId", "Value": self.domain_id},
                            {"Name": "UserProfileName", "Value": "alice"},
                        ],
                        "Timestamp": datetime.now(UTC) - timedelta(minutes=2),
                        "Value": 30.0,
                        "Unit": "Seconds",
                    }
                ],
            )
        return self.inner.client(service, account, region)


def canvas_domain() -> str:
    [domain] = [
        d for d in sagemaker().list_domains()["Domains"] if d["DomainName"] == "genai-studio"
    ]
    return str(domain["DomainId"])


def test_a_canvas_user_back_since_the_plan_keeps_the_app_and_says_why(
    applier: Applier, seeded: SeedSummary
) -> None:
    policy = teardown_policy(["sagemaker-app"], conditions=CANVAS_IDLE)
    domain_id = canvas_domain()

    result = applier(policy, clients=lambda scope: CanvasUsedMeanwhile(scope, domain_id))

    [outcome] = result.findings
    assert "/alice/canvas/" in outcome.resource_arn.lower()
    assert outcome.fate == "cancelled"
    assert outcome.reason.startswith("in use: Canvas's TimeSinceLastActive shows its user active")
    assert "approve it again" in outcome.reason


def test_an_idle_canvas_app_goes_after_its_last_look(applier: Applier, seeded: SeedSummary) -> None:
    policy = teardown_policy(["sagemaker-app"], conditions=CANVAS_IDLE)

    result = applier(policy)

    [outcome] = result.findings
    assert "/alice/canvas/" in outcome.resource_arn.lower() and outcome.fate == "done"
    assert [s.op for s in outcome.steps] == ["sagemaker:DeleteApp"]

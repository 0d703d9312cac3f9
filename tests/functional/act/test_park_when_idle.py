"""Parking when idle on the sandbox: an endpoint without a request for two hours is parked, comes
back when a person asks (Resume now), is not parked again by the next run, and is parked again
once it has stood idle for two hours since it came back."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3
from watchdog_sandbox.seed import SeedSummary

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_last_look import idle_in
from watchdog.act import ExecOptions, ScopeClients
from watchdog.act.parking import parked_spells, resume_now
from watchdog.inventory import ScanRequest, open_scope
from watchdog.policies.schema import Policy


def park_when_idle() -> Policy:
    return Policy.model_validate(
        {
            "name": "park-when-idle",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"status": ["InService"]},
            "action": "park",
            "park_when_idle": "2h",
            "approval": {"mode": "automatic", "grace": "0h"},
        }
    )


def endpoints() -> set[str]:
    listed = boto3.client("sagemaker", region_name=REGION).list_endpoints(MaxResults=100)
    return {e["EndpointName"] for e in listed["Endpoints"]}


def variant_datapoint(name: str, namespace: str, metric: str, at: datetime, value: float) -> None:
    """One datapoint of the endpoint's AllTraffic variant, as SageMaker publishes them."""
    cloudwatch: Any = boto3.client("cloudwatch", region_name=REGION)
    cloudwatch.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [
                    {"Name": "EndpointName", "Value": name},
                    {"Name": "VariantName", "Value": "AllTraffic"},
                ],
                "Timestamp": at,
                "Value": value,
            }
        ],
    )


def instances_report(name: str, start: datetime, end: datetime) -> None:
    """A running endpoint's instances publish CPU every minute; nobody sends it a request."""
    moment = start
    while moment <= end:
        variant_datapoint(name, "/aws/sagemaker/Endpoints", "CPUUtilization", moment, 0.5)
        moment += timedelta(minutes=15)


def test_an_idle_endpoint_is_parked_back_on_demand_and_parked_again_once_idle(
    applier: Applier, seeded: SeedSummary
) -> None:
    name = idle_in(seeded)
    policy = park_when_idle()
    first = applier(policy)
    [parked] = [f for f in first.findings if f.resource_name == name]
    assert parked.fate == "done" and parked.reason.startswith("parked:"), parked
    assert name not in endpoints()
    assert "summarizer-team-a" in endpoints()  # busy within the two hours: left serving

    stored = next(s for s in applier.store.list_findings() if s.finding.resource.name == name)
    assert stored.state == "parked"
    clients = ScopeClients(open_scope(ScanRequest(regions=[REGION])))
    options = ExecOptions(execute=True)
    applier.clock.sleep(600)
    [back] = resume_now(
        applier.store, clients, applier.clock, options, "r-1", [stored.finding.resource.arn]
    )
    assert back.fate == "done", back.reason
    assert name in endpoints()

    applier.clock.sleep(1800)  # idle since it came back, but not for two hours yet
    soon = applier(policy)
    assert name in endpoints()
    # Created again half an hour ago, it is too young to be judged over two hours: no park.
    assert not [f for f in soon.findings if f.resource_name == name and f.fate == "done"]

    resumed_at = applier.clock.now() - timedelta(seconds=1800)
    applier.clock.sleep(2 * 3600)
    instances_report(name, resumed_at, applier.clock.now())
    later = applier(policy)
    [again] = [f for f in later.findings if f.resource_name == name]
    assert again.fate == "done" and again.reason.startswith("parked:"), again
    assert name not in endpoints()
    spells = [
        s
        for s in parked_spells(applier.store.list_audit(limit=1000))
        if s.target_arn == stored.finding.resource.arn
    ]
    assert len(spells) == 2 and spells[0].resumed_at is not None and spells[1].resumed_at is None
    assert round(spells[0].hours(applier.clock.now()), 2) == round(600 / 3600, 2)

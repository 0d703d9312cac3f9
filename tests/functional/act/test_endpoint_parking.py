"""Office hours for SageMaker endpoints on the sandbox: a classic endpoint is parked by deleting
it (its config and models kept) and resumed by creating it again under the same name, ARN and
tags; what cannot be parked that way is blocked with the reason, and an auto-scaled endpoint is
left running rather than coming back without its scaling."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import boto3

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_resume import die_then_resume
from watchdog.act.parking import parked_spells
from watchdog.policies.schema import Policy

PARIS = ZoneInfo("Europe/Paris")
MONDAY_NOON = datetime(2026, 12, 7, 12, 0, tzinfo=PARIS)
MONDAY_NIGHT = datetime(2026, 12, 7, 21, 0, tzinfo=PARIS)
TUESDAY_MORNING = datetime(2026, 12, 8, 9, 0, tzinfo=PARIS)
NOT_PARKED_THIS_WAY = {
    "genai-shared-host": "keeps at least 1 instance(s)",
    "mistral-7b-marketplace": "marketplace-model-endpoint/mistral-7b-marketplace, which parking",
}
# Serverless without provisioned concurrency, and asynchronous scaled to zero instances: not
# billing while unused, they are not found at all.
COSTS_NOTHING_IDLE = {"sentiment-serverless", "transcribe-async"}


def office_hours() -> Policy:
    return Policy.model_validate(
        {
            "name": "endpoint-office-hours",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"status": ["InService"]},
            "action": "park",
            "approval": {"mode": "automatic", "grace": "0h"},
            "park": {
                "at": "0 20 * * mon-fri",
                "resume": "0 8 * * mon-fri",
                "timezone": "Europe/Paris",
            },
        }
    )


def endpoints() -> dict[str, dict[str, object]]:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    listed = sagemaker.list_endpoints(MaxResults=100)["Endpoints"]
    found = {}
    for summary in listed:
        name = summary["EndpointName"]
        described = sagemaker.describe_endpoint(EndpointName=name)
        tags = sagemaker.list_tags(ResourceArn=described["EndpointArn"])["Tags"]
        found[name] = {
            "arn": described["EndpointArn"],
            "config": described["EndpointConfigName"],
            "tags": {t["Key"]: t["Value"] for t in tags},
        }
    return found


def test_classic_endpoints_are_deleted_at_night_and_created_again_in_the_morning(
    applier: Applier,
) -> None:
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    first = applier(policy)
    blocked = {f.resource_name: f.reason for f in first.findings if f.reason.startswith("blocked")}
    assert set(blocked) == set(NOT_PARKED_THIS_WAY)
    assert all(why in blocked[name] for name, why in NOT_PARKED_THIS_WAY.items()), blocked
    assert not COSTS_NOTHING_IDLE & {f.resource_name for f in first.findings}
    parkable = {f.resource_name for f in first.findings if f.action == "park"} - set(blocked)
    # Serverless with provisioned concurrency too: deleting it takes the concurrency to none.
    assert {"llama3-8b-chat-poc", "fraud-scoring-prod", "faq-bot-serverless"} <= parkable
    assert "research-baseline" not in parkable  # tagged watchdog:exempt=true
    before = endpoints()
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    configs = {
        c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]
    }

    applier.clock._now = MONDAY_NIGHT
    applier(policy)
    night = endpoints()
    assert not parkable & set(night)
    assert set(night) == set(before) - parkable
    after = {c["EndpointConfigName"] for c in sagemaker.list_endpoint_configs()["EndpointConfigs"]}
    assert after == configs  # configs (and the models they name) are kept

    applier.clock._now = TUESDAY_MORNING
    morning = applier(policy)
    assert endpoints() == before  # same names, ARNs, configs and tags
    resumed = [f for f in morning.findings if f.resource_name in parkable]
    assert {f.fate for f in resumed} == {"done"}, [f.reason for f in resumed]
    creates = [s for f in resumed for s in f.steps[1:]]
    assert {(s.op, s.detail) for s in creates} == {
        ("sagemaker:CreateEndpoint", "AWS confirms: InService")  # waited through `Creating`
    }
    spells = parked_spells(applier.store.list_audit(limit=1000))
    assert {s.target_arn for s in spells} == {before[name]["arn"] for name in parkable}
    # 21:00 to 09:00, and the seconds the executor waited for `Creating` to end.
    assert {round(s.hours(applier.clock.now()), 2) for s in spells} == {12.0}


def test_an_auto_scaled_endpoint_is_left_running_with_the_reason(applier: Applier) -> None:
    boto3.client("application-autoscaling", region_name=REGION).register_scalable_target(
        ServiceNamespace="sagemaker",
        ResourceId="endpoint/fraud-scoring-prod/variant/AllTraffic",
        ScalableDimension="sagemaker:variant:DesiredInstanceCount",
        MinCapacity=1,
        MaxCapacity=4,
    )
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)

    applier.clock._now = MONDAY_NIGHT
    night = applier(policy)

    assert "fraud-scoring-prod" in endpoints()
    [fraud] = [f for f in night.findings if f.resource_name == "fraud-scoring-prod"]
    assert fraud.fate == "cancelled"
    assert "auto scaled" in fraud.reason and "without its scaling" in fraud.reason
    assert "llama3-8b-chat-poc" not in endpoints()  # the others park as usual


def test_a_park_that_died_after_deleting_the_endpoint_is_finished_and_resumed(
    applier: Applier,
) -> None:
    """The shape the park fault trials caught: the run deleted the endpoint and died before
    recording it; the next scan no longer sees the endpoint, yet its park must be finished
    (recorded as the watchdog's) or nothing would ever create it again."""
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)
    before = endpoints()

    applier.clock._now = MONDAY_NIGHT
    after_death = die_then_resume(applier, policy, "delete_endpoint", "fraud-scoring-prod")
    finished = next(f for f in after_death.findings if f.resource_name == "fraud-scoring-prod")
    assert finished.fate == "done" and finished.reason.startswith("parked until"), finished
    assert "fraud-scoring-prod" not in endpoints()

    applier.clock._now = TUESDAY_MORNING
    applier(policy)
    assert endpoints()["fraud-scoring-prod"] == before["fraud-scoring-prod"]
    deletes = [
        e
        for e in applier.store.list_audit(limit=1000)
        if e.op == "sagemaker:DeleteEndpoint" and e.outcome == "done"
    ]
    fraud = [e for e in deletes if e.target_arn.endswith("/fraud-scoring-prod")]
    assert len(fraud) == 1 and not fraud[0].unchanged

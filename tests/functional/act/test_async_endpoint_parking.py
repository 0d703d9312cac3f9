"""Office hours for an asynchronous SageMaker endpoint on the sandbox: it is parked by lowering
its auto scaling minimum to zero (the endpoint, its URL and its queue stay) and resumed by putting
back the minimum the park recorded; one that is not auto scaled is left as it is, with the reason;
one whose minimum someone raised while parked is not touched by the resume."""

from __future__ import annotations

from typing import Any

import boto3
from watchdog_sandbox.seed_scaling import VARIANT_DIMENSION

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_endpoint_parking import (
    MONDAY_NIGHT,
    MONDAY_NOON,
    TUESDAY_MORNING,
    office_hours,
)
from tests.functional.act.test_resume import die_then_resume
from tests.scale_to_zero import ASYNC, ASYNC_TARGET, async_keeping
from watchdog.act.parking import parked_spells

TARGET = ASYNC_TARGET


def autoscaling() -> Any:
    return boto3.client("application-autoscaling", region_name=REGION)


def minimum() -> int | None:
    found = autoscaling().describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[TARGET]
    )["ScalableTargets"]
    return int(found[0]["MinCapacity"]) if found else None


def serving_with_a_minimum_of(count: int) -> None:
    async_keeping(boto3.client("sagemaker", region_name=REGION), autoscaling(), count)


def test_an_asynchronous_endpoint_scales_to_zero_at_night_and_back_in_the_morning(
    applier: Applier,
) -> None:
    serving_with_a_minimum_of(2)
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    noon = applier(policy)
    [found] = [f for f in noon.findings if f.resource_name == ASYNC]
    assert found.action == "park" and not found.reason.startswith("blocked"), found

    applier.clock._now = MONDAY_NIGHT
    night = applier(policy)
    [parked] = [f for f in night.findings if f.resource_name == ASYNC]
    assert parked.fate == "done" and parked.reason.startswith("parked until"), parked
    assert parked.steps[0].op == "application-autoscaling:RegisterScalableTarget"
    assert minimum() == 0
    endpoint = boto3.client("sagemaker", region_name=REGION).describe_endpoint(EndpointName=ASYNC)
    assert endpoint["EndpointStatus"] == "InService"  # kept, with its URL and its queue

    applier.clock._now = TUESDAY_MORNING
    morning = applier(policy)
    [back] = [f for f in morning.findings if f.resource_name == ASYNC]
    assert back.fate == "done" and back.reason.startswith("resumed"), back
    assert minimum() == 2  # what the park recorded, not what the night's scan saw
    spells = [
        s for s in parked_spells(applier.store.list_audit(limit=1000)) if ASYNC in s.target_arn
    ]
    assert [round(s.hours(applier.clock.now()), 2) for s in spells] == [12.0]


def test_an_asynchronous_endpoint_without_auto_scaling_is_left_with_the_reason(
    applier: Applier,
) -> None:
    boto3.client("sagemaker", region_name=REGION).update_endpoint_weights_and_capacities(
        EndpointName=ASYNC,
        DesiredWeightsAndCapacities=[{"VariantName": "AllTraffic", "DesiredInstanceCount": 1}],
    )
    autoscaling().deregister_scalable_target(
        ServiceNamespace="sagemaker", ResourceId=TARGET, ScalableDimension=VARIANT_DIMENSION
    )
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)

    applier.clock._now = MONDAY_NIGHT
    night = applier(policy)
    [left] = [f for f in night.findings if f.resource_name == ASYNC]
    assert left.fate == "waiting" or left.fate == "partial", left
    assert "NotAutoScaled" in left.reason and "adds no scaling" in left.reason, left.reason
    assert minimum() is None  # nothing registered


def test_a_minimum_raised_while_parked_is_left_as_it_is(applier: Applier) -> None:
    serving_with_a_minimum_of(1)
    policy = office_hours()
    applier.clock._now = MONDAY_NIGHT
    applier(policy)
    assert minimum() == 0
    serving_with_a_minimum_of(3)  # someone needed it tonight

    applier.clock._now = TUESDAY_MORNING
    morning = applier(policy)
    [back] = [f for f in morning.findings if f.resource_name == ASYNC]
    assert minimum() == 3
    assert "not changed by the watchdog" in back.steps[-1].detail, back.steps


def test_a_park_and_a_resume_that_died_after_their_call_are_finished_without_a_second(
    applier: Applier,
) -> None:
    serving_with_a_minimum_of(2)
    policy = office_hours()
    applier.clock._now = MONDAY_NIGHT
    finished = die_then_resume(applier, policy, "register_scalable_target", TARGET)
    [parked] = [f for f in finished.findings if f.resource_name == ASYNC]
    assert parked.fate == "done", parked
    assert minimum() == 0

    applier.clock._now = TUESDAY_MORNING
    resumed = die_then_resume(applier, policy, "register_scalable_target", TARGET)
    [back] = [f for f in resumed.findings if f.resource_name == ASYNC]
    assert back.fate == "done" and back.reason.startswith("resumed"), back
    assert minimum() == 2  # what the park found before its call
    calls = [
        e
        for e in applier.store.list_audit(limit=1000)
        if e.op.startswith("application-autoscaling:") and e.outcome == "done"
    ]
    assert sorted((e.op, e.unchanged) for e in calls) == [
        ("application-autoscaling:RegisterScalableTarget", False),
        ("application-autoscaling:RegisterScalableTarget:resume", False),
    ]

"""Office hours for an endpoint of inference components on the sandbox: its components go to zero
copies (an auto scaled one's minimum first), its managed instance scaling releases the instances,
and the morning puts back the copies and minimums the park found. An endpoint whose instances
would stay is refused with the reason."""

from __future__ import annotations

from typing import Any

import boto3

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_endpoint_parking import (
    MONDAY_NIGHT,
    MONDAY_NOON,
    TUESDAY_MORNING,
    office_hours,
)
from tests.functional.act.test_resume import die_then_resume
from tests.scale_to_zero import CHAT, CODE, CODE_TARGET, HOST, host_of_components
from watchdog.act.parking import parked_spells


def sagemaker() -> Any:
    return boto3.client("sagemaker", region_name=REGION)


def autoscaling() -> Any:
    return boto3.client("application-autoscaling", region_name=REGION)


def host_that_scales_to_zero() -> None:
    host_of_components(sagemaker(), autoscaling())


def state() -> tuple[dict[str, int], int, int]:
    """Each component's copies, the code component's minimum, and the host's instances."""
    copies = {
        name: sagemaker().describe_inference_component(InferenceComponentName=name)[
            "RuntimeConfig"
        ]["DesiredCopyCount"]
        for name in (CHAT, CODE)
    }
    [target] = autoscaling().describe_scalable_targets(
        ServiceNamespace="sagemaker", ResourceIds=[CODE_TARGET]
    )["ScalableTargets"]
    [variant] = sagemaker().describe_endpoint(EndpointName=HOST)["ProductionVariants"]
    return copies, target["MinCapacity"], variant["CurrentInstanceCount"]


def test_components_go_to_zero_copies_at_night_and_come_back_in_the_morning(
    applier: Applier,
) -> None:
    host_that_scales_to_zero()
    before = state()
    assert before == ({CHAT: 2, CODE: 1}, 1, 2)
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    noon = applier(policy)
    [found] = [f for f in noon.findings if f.resource_name == HOST]
    assert found.action == "park" and not found.reason.startswith("blocked"), found
    # The demo's shared host keeps one instance at least: parking it would save nothing.
    [shared] = [f for f in noon.findings if f.resource_name == "genai-shared-host"]
    assert "keeps at least 1 instance(s)" in shared.reason, shared.reason

    applier.clock._now = MONDAY_NIGHT
    night = applier(policy)
    [parked] = [f for f in night.findings if f.resource_name == HOST]
    assert parked.fate == "done" and parked.reason.startswith("parked until"), parked
    assert state() == ({CHAT: 0, CODE: 0}, 0, 0)
    assert sagemaker().describe_endpoint(EndpointName=HOST)["EndpointStatus"] == "InService"

    applier.clock._now = TUESDAY_MORNING
    morning = applier(policy)
    [back] = [f for f in morning.findings if f.resource_name == HOST]
    assert back.fate == "done" and back.reason.startswith("resumed"), back
    assert state() == before
    spells = parked_spells(applier.store.list_audit(limit=1000))
    assert [round(s.hours(applier.clock.now()), 2) for s in spells if HOST in s.target_arn] == [
        12.0
    ]


def test_a_park_and_a_resume_that_died_midway_are_finished_without_a_second_call(
    applier: Applier,
) -> None:
    """The park dies after lowering the minimum, before the copies; the resume after the first
    component's copies: each next run finishes the rest, from what the park first found."""
    host_that_scales_to_zero()
    before = state()
    policy = office_hours()
    applier.clock._now = MONDAY_NIGHT
    parked = die_then_resume(applier, policy, "register_scalable_target", CODE_TARGET)
    assert [f.fate for f in parked.findings if f.resource_name == HOST] == ["done"]
    assert state() == ({CHAT: 0, CODE: 0}, 0, 0)

    applier.clock._now = TUESDAY_MORNING
    resumed = die_then_resume(applier, policy, "update_inference_component_runtime_config")
    assert [f.fate for f in resumed.findings if f.resource_name == HOST] == ["done"]
    assert state() == before

"""Office hours for an endpoint of inference components on the sandbox: its components go to zero
copies (an auto scaled one's minimum first), its managed instance scaling releases the instances,
and the morning puts back the copies and minimums the park found. An endpoint whose instances
would stay is refused with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import boto3
import pytest

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_endpoint_parking import (
    MONDAY_NIGHT,
    MONDAY_NOON,
    TUESDAY_MORNING,
    office_hours,
)
from tests.functional.act.test_resume import DieAfter, Died, die_then_resume
from tests.scale_to_zero import CHAT, CODE, CODE_TARGET, HOST, host_of_components
from watchdog.act import ExecOptions
from watchdog.act.clients import SessionClients
from watchdog.act.models import FindingOutcome
from watchdog.act.parking import parked_spells, resume_now


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


def test_a_resume_now_that_died_between_components_makes_the_rest_of_its_calls(
    applier: Applier,
) -> None:
    """`ai-watchdog resume` reads no scan first: the run after one that died right after the
    first component's copies finds that component still Updating and waits for it. Once it is
    InService the rest is still at zero (the second component, the minimum): those calls are
    made then, not waited for until the step's timeout (30 min: a resume that hung in the
    fault trials, bench/faults.py --mode resume)."""
    host_that_scales_to_zero()
    before = state()
    policy = office_hours()
    applier.clock._now = MONDAY_NIGHT
    applier(policy)
    assert state() == ({CHAT: 0, CODE: 0}, 0, 0)
    host = [sagemaker().describe_endpoint(EndpointName=HOST)["EndpointArn"]]
    applier.clock._now = TUESDAY_MORNING

    def resume(clients: Any, run_id: str) -> list[FindingOutcome]:
        options = ExecOptions(execute=True)
        return resume_now(applier.store, clients, applier.clock, options, run_id, host)

    DieAfter.fired = False
    with pytest.raises(Died):
        resume(DyingSession("update_inference_component_runtime_config"), "resume-dies")
    applier.clock.sleep(timedelta(minutes=6).total_seconds())  # past the dead run's lease
    started, again = applier.clock.now(), SessionClients()
    [back] = resume(again, "resume-again")

    assert back.fate == "done", back.reason
    assert state() == before
    assert applier.clock.now() - started < timedelta(minutes=1)
    # The rest only: the code component's copies and its minimum, not the chat's again.
    calls = again.counter.by_operation()
    assert calls.get("sagemaker:UpdateInferenceComponentRuntimeConfig") == 1, calls
    assert calls.get("application-autoscaling:RegisterScalableTarget") == 1, calls


class DyingSession(DieAfter):
    """DieAfter on the default session's clients, as `ai-watchdog resume` makes them."""

    def __init__(self, method: str) -> None:
        self.inner, self.method, self.name = SessionClients(), method, None

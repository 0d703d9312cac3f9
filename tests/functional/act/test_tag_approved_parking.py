"""Office hours approved by the owner's own tag: a notebook tagged `watchdog:schedule=
office-hours` is parked with no one's approval, an untagged one under the same policy waits for
a person, and a tag removed before the evening's park withdraws the approval."""

from __future__ import annotations

from datetime import timedelta

import boto3

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_parking import MONDAY_NOON, office_hours, states
from watchdog.act import ExecOptions, ScopeClients
from watchdog.act.parking import parking_tick
from watchdog.inventory import ScanRequest, open_scope
from watchdog.policies.schema import Policy

CONSENT = {"watchdog:schedule": "office-hours"}
TAGGED, UNTAGGED = "alice-exploration", "gpu-scratchpad"


def tagged_office_hours() -> Policy:
    policy = office_hours(approval="required", kinds=["sagemaker-notebook-instance"])
    approval = policy.approval.model_copy(update={"automatic_when_tagged": CONSENT})
    return Policy.model_validate({**policy.model_dump(), "approval": approval.model_dump()})


def notebook_arn(name: str) -> str:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return str(
        sagemaker.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceArn"]
    )


def tag(name: str) -> None:
    tags = [{"Key": k, "Value": v} for k, v in CONSENT.items()]
    boto3.client("sagemaker", region_name=REGION).add_tags(
        ResourceArn=notebook_arn(name), Tags=tags
    )


def test_a_resource_tagged_into_the_schedule_is_parked_without_anyone_approving(
    applier: Applier,
) -> None:
    tag(TAGGED)
    policy = tagged_office_hours()
    applier.clock._now = MONDAY_NOON + timedelta(hours=12)  # a weekday night in Paris
    night = applier(policy)

    [tagged] = [f for f in night.findings if f.resource_name == TAGGED]
    assert tagged.fate == "done", tagged.reason
    assert tagged.approved_by == "tag:watchdog:schedule=office-hours"
    assert states()[TAGGED] == "Stopped"
    untagged = [f for f in night.findings if f.resource_name != TAGGED and f.action == "park"]
    assert untagged and {f.fate for f in untagged} == {"needs-approval"}
    assert states()[UNTAGGED] == "InService"
    parks = [
        e
        for e in applier.store.list_audit(limit=1000)
        if e.op.endswith("StopNotebookInstance") and e.outcome == "done"
    ]
    assert [e.approved_by for e in parks] == ["tag:watchdog:schedule=office-hours"]


def test_a_tag_removed_before_the_park_withdraws_its_approval(applier: Applier) -> None:
    tag(TAGGED)
    policy = tagged_office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)  # the day's cycle stores the finding, approved by its tag
    boto3.client("sagemaker", region_name=REGION).delete_tags(
        ResourceArn=notebook_arn(TAGGED), TagKeys=list(CONSENT)
    )

    applier.clock._now = MONDAY_NOON + timedelta(hours=9)  # 21:00 in Paris: the park is due
    clients = ScopeClients(open_scope(ScanRequest(regions=[REGION])))
    [outcome] = [
        o
        for o in parking_tick(
            applier.store, clients, applier.clock, ExecOptions(execute=True), "tick", [policy]
        )
        if o.resource_name == TAGGED
    ]
    assert outcome.fate == "cancelled", outcome.reason
    assert "no longer tagged watchdog:schedule=office-hours" in outcome.reason
    assert states()[TAGGED] == "InService"

"""Office hours approved by the owner's own tag: a notebook tagged `watchdog:schedule=
office-hours` is parked with no one's approval, an untagged one under the same policy waits for
a person, and a tag removed before the evening's park withdraws the approval."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import boto3
import yaml
from click.testing import CliRunner, Result

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_parking import MONDAY_NOON, office_hours, states
from watchdog.act import ExecOptions, ScopeClients
from watchdog.act.parking import parking_tick
from watchdog.cli import main
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


def cli(*args: str, **env: str) -> Result:
    result = CliRunner().invoke(main.cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result


def test_findings_and_plan_say_the_tag_approved_it(applier: Applier, tmp_path: Path) -> None:
    tag(TAGGED)
    policy = tagged_office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)  # the day's cycle stores the findings: nothing is due before 20:00
    store = f"sqlite:///{tmp_path / 'watchdog.db'}"

    shown = {
        v["name"]: v
        for v in json.loads(cli("findings", "--store", store, "--format", "json").output)
    }
    assert shown[TAGGED]["approved_by"] == "tag:watchdog:schedule=office-hours"
    assert shown[UNTAGGED]["approved_by"] is None
    table = cli("findings", "--store", store).output
    assert "approved by tag:watchdog:schedule=office-hours" in " ".join(table.split())

    file = tmp_path / "office.yaml"
    file.write_text(yaml.safe_dump({"policies": [policy.model_dump(mode="json")]}))
    env = {"WATCHDOG_CACHE_DIR": str(tmp_path / "cache"), "WATCHDOG_COST_EXPLORER": "false"}
    plan = cli("plan", "--policies", str(file), "--regions", REGION, **env).output
    assert f"park sagemaker-notebook-instance {TAGGED} " in plan
    said = " ".join(plan.split())
    assert "approval by tag:watchdog:schedule=office-hours)" in said
    assert f"{UNTAGGED} (" in said and "approval required)" in said


def test_once_its_tag_is_gone_a_person_approves_it(applier: Applier) -> None:
    tag(TAGGED)
    policy = tagged_office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)
    boto3.client("sagemaker", region_name=REGION).delete_tags(
        ResourceArn=notebook_arn(TAGGED), TagKeys=list(CONSENT)
    )

    applier.clock._now = MONDAY_NOON + timedelta(hours=12)  # the night's cycle scans again
    night = applier(policy)

    [untagged] = [f for f in night.findings if f.resource_name == TAGGED]
    assert untagged.fate == "needs-approval"
    assert untagged.reason.startswith("waiting for approval of its schedule")
    assert states()[TAGGED] == "InService"
    approvers = {e.approved_by or "" for e in applier.store.list_audit(limit=1000)}
    assert not [a for a in approvers if a.startswith("tag:")]


def test_a_resource_parked_on_its_tag_comes_back_when_the_tag_is_gone(applier: Applier) -> None:
    tag(TAGGED)
    policy = tagged_office_hours()
    applier.clock._now = MONDAY_NOON + timedelta(hours=12)  # Tuesday 00:00 in Paris: parked
    applier(policy)
    assert states()[TAGGED] == "Stopped"
    boto3.client("sagemaker", region_name=REGION).delete_tags(
        ResourceArn=notebook_arn(TAGGED), TagKeys=list(CONSENT)
    )

    applier.clock._now = MONDAY_NOON + timedelta(hours=18)  # 06:00: a cycle sees it untagged
    applier(policy)
    applier.clock._now = MONDAY_NOON + timedelta(hours=21)  # 09:00: its resume is due
    morning = applier(policy)

    [back] = [f for f in morning.findings if f.resource_name == TAGGED]
    assert back.fate == "done", back.reason
    assert back.reason.startswith("resumed")
    assert states()[TAGGED] == "InService"
    resumes = [
        e.approved_by
        for e in applier.store.list_audit(limit=1000)
        if e.op.endswith("StartNotebookInstance") and e.outcome == "done"
    ]
    assert resumes == ["tag:watchdog:schedule=office-hours"]  # as its park recorded
    # Its next park is a person's to approve.
    applier.clock._now = MONDAY_NOON + timedelta(hours=33)  # Wednesday 00:00
    [night] = [f for f in applier(policy).findings if f.resource_name == TAGGED]
    assert night.fate == "needs-approval", night.reason
    assert states()[TAGGED] == "InService"

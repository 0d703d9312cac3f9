"""Office hours on the sandbox: a week of a park schedule over the demo account's notebooks, GPU
instances and endpoints (a mixed account), run by `apply` every six hours with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import boto3
import pytest

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_async_endpoint_parking import (
    ASYNC,
    minimum,
    serving_with_a_minimum_of,
)
from tests.functional.act.test_component_endpoint_parking import (
    HOST,
    host_that_scales_to_zero,
)
from tests.functional.act.test_component_endpoint_parking import state as component_state
from watchdog.act import ExecOptions, ScopeClients
from watchdog.act.parking import NothingToResume, parked_spells, parking_tick, resume_now
from watchdog.inventory import ScanRequest, open_scope
from watchdog.policies.schema import Policy
from watchdog.signals.models import HOURS_PER_MONTH
from watchdog.store.base import Approval

PARIS = ZoneInfo("Europe/Paris")
MONDAY_NOON = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 12:00 in Paris
RUNS = range(0, 24 * 7 + 6, 6)  # every six hours, Monday noon to the next Monday noon
SCALES_TO_ZERO = "scales to zero"
# A classic endpoint parks by being deleted, an asynchronous one by scaling to zero.
PARKED = {"stopped", "Stopped", "gone", SCALES_TO_ZERO}
NOTEBOOKS_AND_INSTANCES = ["sagemaker-notebook-instance", "ec2-accelerated-instance"]


def office_hours(approval: str = "automatic", kinds: list[str] | None = None) -> Policy:
    return Policy.model_validate(
        {
            "name": "office-hours",
            "resource": kinds or NOTEBOOKS_AND_INSTANCES,
            "conditions": {"status": ["InService", "running"]},
            "action": "park",
            "approval": {"mode": approval, "grace": "0h"},
            "park": {
                "at": "0 20 * * mon-fri",
                "resume": "0 8 * * mon-fri",
                "timezone": "Europe/Paris",
            },
        }
    )


def states() -> dict[str, str]:
    notebooks = boto3.client("sagemaker", region_name=REGION).list_notebook_instances()
    found = {
        n["NotebookInstanceName"]: n["NotebookInstanceStatus"]
        for n in notebooks["NotebookInstances"]
    }
    reservations = boto3.client("ec2", region_name=REGION).describe_instances()["Reservations"]
    for instance in (i for r in reservations for i in r["Instances"]):
        found[instance["InstanceId"]] = instance["State"]["Name"]
    endpoints = boto3.client("sagemaker", region_name=REGION).list_endpoints(MaxResults=100)
    found |= {e["EndpointName"]: e["EndpointStatus"] for e in endpoints["Endpoints"]}
    if minimum() == 0:
        found[ASYNC] = SCALES_TO_ZERO
    if HOST in found and not any(component_state()[0].values()):
        found[HOST] = SCALES_TO_ZERO
    return found


def office_closed(moment: datetime) -> bool:
    """What the schedule says: parked from 20:00 to 08:00 on weekdays, and all weekend."""
    local = moment.astimezone(PARIS)
    weekday, hour = local.weekday(), local.hour
    if weekday == 5 or weekday == 6:
        return True
    if weekday == 0 and hour < 8:
        return True  # Friday's parking lasts until Monday morning
    return hour >= 20 or hour < 8


@pytest.mark.slow  # left out of make test-fast; make test runs it
def test_a_week_of_office_hours_parks_each_evening_and_resumes_each_morning(
    applier: Applier,
) -> None:
    policy = office_hours(kinds=[*NOTEBOOKS_AND_INSTANCES, "sagemaker-endpoint"])
    serving_with_a_minimum_of(1)
    host_that_scales_to_zero()
    applier.clock._now = MONDAY_NOON
    first = applier(policy)
    on_schedule = {
        f.resource_name for f in first.findings if f.action == "park" and f.fate == "waiting"
    }
    blocked = {f.resource_name for f in first.findings if f.reason.startswith("blocked:")}
    parkable = on_schedule - blocked - {"legacy-experiments"}
    before = states()
    assert {before[name] for name in parkable} == {"InService", "running"}
    # 3 notebooks and instances, 7 classic endpoints, a serverless one with provisioned
    # concurrency, an asynchronous one and one of inference components; blocked: an instance
    # its Auto Scaling group runs, a host of components that keeps an instance, and the
    # endpoint a Bedrock Marketplace endpoint registers.
    assert len(parkable) == 14 and len(blocked) == 3, (parkable, blocked)
    assert {ASYNC, HOST} <= parkable

    for hours in RUNS[1:]:
        applier.clock._now = MONDAY_NOON + timedelta(hours=hours)
        applier(policy)
        now = states()
        closed = office_closed(applier.clock.now())
        assert {name: now.get(name, "gone") in PARKED for name in parkable} == dict.fromkeys(
            parkable, closed
        ), applier.clock.now().astimezone(PARIS)
        # Nothing else changes: what was stopped by someone stays so, the blocked runs on.
        assert now["legacy-experiments"] == "Stopped"
        assert {now[name] for name in blocked} <= {"running", "InService"}

    spells = parked_spells(applier.store.list_audit(limit=1000))
    assert len(spells) == 5 * len(parkable)  # one a weekday evening, each resumed
    assert all(s.resumed_at is not None for s in spells)
    # Runs at 00:00 and 12:00 Paris: four 12-hour nights and a 60-hour weekend per resource.
    end = applier.clock.now()
    hours = {s.target_arn: 0.0 for s in spells}
    for spell in spells:
        hours[spell.target_arn] += spell.hours(end)
    # (an endpoint's spell ends once it is InService again: seconds of waiting on `Creating`)
    assert {round(h, 1) for h in hours.values()} == {108.0}
    # Priced at the hour: what the resource cost a month when parked, for the hours parked
    # (the sandbox has no price for gpu-scratchpad's ml.p3.2xlarge: nothing is made up).
    priced = [s for s in spells if s.monthly_cost_usd is not None]
    assert len(priced) >= 5 * 3
    for spell in priced:
        assert spell.monthly_cost_usd is not None
        expected = spell.monthly_cost_usd * spell.hours(end) / HOURS_PER_MONTH
        assert spell.saved_usd(end) == pytest.approx(expected)
    assert all(s.saved_usd(end) is None for s in spells if s not in priced)


def test_a_schedule_a_person_approves_once_runs_every_evening(applier: Applier) -> None:
    policy = office_hours(approval="required")
    applier.clock._now = MONDAY_NOON + timedelta(hours=12)  # Paris midnight: parking time
    first = applier(policy)
    target = next(f for f in first.findings if f.resource_name == "alice-exploration")
    assert target.fate == "needs-approval"
    assert states()["alice-exploration"] == "InService"
    now = applier.clock.now()
    applier.store.add_approval(
        Approval(
            id="ap-park",
            finding_id=target.finding_id,
            action="park",
            approver="alice@example.com",
            via="cli",
            created_at=now,
            expires_at=now + timedelta(hours=24),
        )
    )

    applier(policy)
    assert states()["alice-exploration"] == "Stopped"
    assert applier.store.pending_approval(target.finding_id, "park", now) is None
    for hours in (24, 36):  # Tuesday noon (back), Wednesday midnight (parked again)
        applier.clock._now = MONDAY_NOON + timedelta(hours=hours)
        result = applier(policy)
        outcome = next(f for f in result.findings if f.finding_id == target.finding_id)
        assert outcome.approved_by == "alice@example.com via cli"
        assert outcome.fate == "done", outcome.reason
    assert states()["alice-exploration"] == "Stopped"


def test_a_resource_someone_started_while_parked_is_left_running(applier: Applier) -> None:
    policy = office_hours()
    applier.clock._now = MONDAY_NOON + timedelta(hours=12)
    applier(policy)
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    sagemaker.start_notebook_instance(NotebookInstanceName="alice-exploration")
    applier.clock._now = MONDAY_NOON + timedelta(hours=24)

    result = applier(policy)

    outcome = next(f for f in result.findings if f.resource_name == "alice-exploration")
    [_, resume] = outcome.steps
    assert resume.fate == "already", resume.detail
    resumes = [
        e for e in applier.store.list_audit(limit=1000) if e.op.endswith("StartNotebookInstance")
    ]
    mine = [e for e in resumes if e.target_arn == outcome.resource_arn]
    # Done without a call, and given up for its owner to hear of (test_left_alone_notices).
    assert [(e.outcome, e.unchanged) for e in mine] == [("left-alone", True), ("done", True)]


def test_resume_now_brings_back_only_what_the_watchdog_parked_and_once(applier: Applier) -> None:
    policy = office_hours()
    applier.clock._now = MONDAY_NOON + timedelta(hours=12)
    applier(policy)
    assert states()["alice-exploration"] == "Stopped"
    alice = next(
        s.finding
        for s in applier.store.list_findings()
        if s.finding.resource.name == "alice-exploration"
    )
    legacy = next(
        s.finding
        for s in applier.store.list_findings()
        if s.finding.resource.name == "legacy-experiments"
    )
    options = ExecOptions(execute=True)
    clients = ScopeClients(open_scope(ScanRequest(regions=[REGION])))

    with pytest.raises(NothingToResume, match="not parked by the watchdog"):
        resume_now(applier.store, clients, applier.clock, options, "r-1", [legacy.resource.arn])
    [outcome] = resume_now(
        applier.store, clients, applier.clock, options, "r-2", [alice.resource.arn]
    )

    assert outcome.fate == "done", outcome.reason
    assert states()["alice-exploration"] == "InService"
    assert states()["gpu-scratchpad"] == "Stopped"  # only what was named
    with pytest.raises(NothingToResume):
        resume_now(applier.store, clients, applier.clock, options, "r-3", [alice.resource.arn])
    # The morning's resume finds it done; the evening parks it again.
    applier.clock._now = MONDAY_NOON + timedelta(hours=24)
    morning = applier(policy)
    [again] = [f for f in morning.findings if f.finding_id == alice.id]
    assert again.reason.startswith("resumed for this occurrence"), again.reason
    applier.clock._now = MONDAY_NOON + timedelta(hours=36)
    applier(policy)
    assert states()["alice-exploration"] == "Stopped"


def test_the_parking_tick_parks_and_resumes_on_time_between_daily_cycles(
    applier: Applier,
) -> None:
    policy = office_hours()
    applier.clock._now = MONDAY_NOON
    applier(policy)  # the day's only cycle: it stores the park findings
    clients = ScopeClients(open_scope(ScanRequest(regions=[REGION])))
    options = ExecOptions(execute=True)

    def tick(at: datetime, policies: list[Policy]) -> dict[str, str]:
        applier.clock._now = at
        parking_tick(applier.store, clients, applier.clock, options, "tick", policies)
        return states()

    before_park = tick(datetime(2026, 12, 7, 19, 50, tzinfo=PARIS), [policy])
    assert before_park["alice-exploration"] == "InService"
    evening = tick(datetime(2026, 12, 7, 20, 5, tzinfo=PARIS), [policy])
    assert evening["alice-exploration"] == "Stopped"
    assert evening["legacy-experiments"] == "Stopped"  # stopped by someone: untouched
    morning = tick(datetime(2026, 12, 8, 8, 5, tzinfo=PARIS), [policy])
    assert morning["alice-exploration"] == "InService"
    # A policy switched off (or removed) stops its schedule: nothing parks that evening.
    disabled = policy.model_copy(update={"enabled": False})
    off = tick(datetime(2026, 12, 8, 20, 5, tzinfo=PARIS), [disabled])
    assert off["alice-exploration"] == "InService"
    assert tick(datetime(2026, 12, 8, 20, 10, tzinfo=PARIS), [])["alice-exploration"] == "InService"


def test_a_resume_missed_while_the_watchdog_was_down_comes_at_the_next_morning(
    applier: Applier,
) -> None:
    policy = office_hours()
    applier.clock._now = datetime(2026, 12, 7, 21, 0, tzinfo=PARIS)  # Monday evening
    applier(policy)
    alice = next(
        s for s in applier.store.list_findings() if s.finding.resource.name == "alice-exploration"
    )
    assert states()["alice-exploration"] == "Stopped"
    assert applier.store.get_finding(alice.finding.id).state == "parked"  # type: ignore[union-attr]

    # Down from Monday night to Tuesday evening: Tuesday's 8:00 resume never ran.
    applier.clock._now = datetime(2026, 12, 8, 21, 0, tzinfo=PARIS)
    applier(policy)
    assert states()["alice-exploration"] == "Stopped"  # parked still, not by a second call
    applier.clock._now = datetime(2026, 12, 9, 9, 0, tzinfo=PARIS)
    result = applier(policy)

    assert states()["alice-exploration"] == "InService"
    [outcome] = [f for f in result.findings if f.finding_id == alice.finding.id]
    assert [s.fate for s in outcome.steps] == ["already", "done"]
    stored = applier.store.get_finding(alice.finding.id)
    assert stored is not None and stored.state == "open"
    audit = reversed(applier.store.list_audit(limit=1000))  # oldest first
    stops = [e for e in audit if e.op.endswith("StopNotebookInstance") and e.outcome == "done"]
    # Monday's park, and Tuesday's that found it still parked and called nothing.
    arn = alice.finding.resource.arn
    assert [e.unchanged for e in stops if e.target_arn == arn] == [False, True]

"""A schedule and an idle rule in one policy, on the sandbox: parked at the schedule's evening
whether used or not, parked in the day once idle two hours since it came back, and back at the
schedule's morning (or when a person asks) - one spell per parking, never two at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from watchdog_sandbox.seed import SeedSummary

from tests.functional.act.conftest import REGION, Applier, sagemaker
from tests.functional.act.test_last_look import idle_in
from tests.functional.act.test_park_when_idle import (
    endpoints,
    instances_report,
    variant_datapoint,
)
from watchdog.act import ExecOptions, ScopeClients
from watchdog.act.models import ApplyResult, FindingOutcome
from watchdog.act.parking import parked_spells, resume_now
from watchdog.inventory import ScanRequest, open_scope
from watchdog.policies.schema import Policy

# A day after today at 10:00 UTC: later than anything the demo seeded, so each idle verdict
# rests on the datapoints this test publishes.
DAY = (datetime.now(UTC) + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def office_hours_and_idle() -> Policy:
    return Policy.model_validate(
        {
            "name": "office-hours-and-idle",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"status": ["InService"]},
            "action": "park",
            "park": {"at": "0 20 * * *", "resume": "0 8 * * *", "timezone": "UTC"},
            "park_when_idle": "2h",
            "approval": {"mode": "automatic", "grace": "0h"},
        }
    )


def only_this_one(name: str) -> None:
    """Every other endpoint exempt: the test follows one through its days."""
    client: Any = sagemaker()
    for endpoint in client.list_endpoints(MaxResults=100)["Endpoints"]:
        if endpoint["EndpointName"] != name:
            client.add_tags(
                ResourceArn=endpoint["EndpointArn"],
                Tags=[{"Key": "watchdog:exempt", "Value": "true"}],
            )


def someone_calls(name: str, at: datetime) -> None:
    variant_datapoint(name, "AWS/SageMaker", "Invocations", at, 5.0)


def at(applier: Applier, moment: datetime, policy: Policy, name: str) -> FindingOutcome:
    applier.clock._now = moment
    result: ApplyResult = applier(policy)
    [found] = [f for f in result.findings if f.resource_name == name]
    return found


def test_parked_each_evening_used_or_not_and_in_the_day_once_idle(
    applier: Applier, seeded: SeedSummary
) -> None:
    name = idle_in(seeded)
    only_this_one(name)
    policy = office_hours_and_idle()

    # 10:00, idle two hours: the idle rule parks it, until the schedule's 08:00.
    instances_report(name, DAY - timedelta(hours=3), DAY)
    parked = at(applier, DAY, policy, name)
    assert parked.fate == "done", parked
    tomorrow_8 = (DAY + timedelta(days=1)).replace(hour=8)
    assert parked.reason.startswith(f"parked until {tomorrow_8:%Y-%m-%d %H:%M} UTC"), parked
    assert name not in endpoints()

    # 20:05, parked already: the schedule's park begins no second parking.
    evening = at(applier, DAY.replace(hour=20, minute=5), policy, name)
    assert evening.fate == "waiting" and "parked for this occurrence" in evening.reason, evening

    # 08:05 the next day: back at the schedule's resume.
    morning = tomorrow_8 + timedelta(minutes=5)
    back = at(applier, morning, policy, name)
    assert back.fate == "done" and back.reason.startswith("resumed:"), back
    assert name in endpoints()

    # 09:00: back less than two hours, not idle enough (its idle window covers its parking).
    soon = at(applier, tomorrow_8.replace(hour=9), policy, name)
    assert soon.fate == "waiting" and name in endpoints(), soon

    # 11:00: idle two hours since it came back: parked again; a person resumes it at 11:30.
    instances_report(name, morning, tomorrow_8.replace(hour=11))
    again = at(applier, tomorrow_8.replace(hour=11), policy, name)
    assert again.fate == "done" and again.reason.startswith("parked until"), again
    applier.clock._now = tomorrow_8.replace(hour=11, minute=30)
    clients = ScopeClients(open_scope(ScanRequest(regions=[REGION])))
    [asked] = resume_now(
        applier.store, clients, applier.clock, ExecOptions(execute=True), "r-1", None
    )
    assert asked.fate == "done" and name in endpoints(), asked

    # 13:45: back two hours and a quarter, but called at 12:30: used, so left serving.
    instances_report(name, tomorrow_8.replace(hour=11, minute=30), tomorrow_8.replace(hour=20))
    someone_calls(name, tomorrow_8.replace(hour=12, minute=30))
    used = at(applier, tomorrow_8.replace(hour=13, minute=45), policy, name)
    assert used.fate == "waiting" and name in endpoints(), used

    # 20:05: called at 19:30, so not idle; the schedule parks it all the same.
    someone_calls(name, tomorrow_8.replace(hour=19, minute=30))
    night = at(applier, tomorrow_8.replace(hour=20, minute=5), policy, name)
    assert night.fate == "done" and name not in endpoints(), night

    spells = parked_spells(applier.store.list_audit(limit=1000))
    hours = [round(s.hours(applier.clock.now()), 1) for s in spells]
    # 10:00 to 08:05 the next day, 11:00 to 11:30, and the night from 20:05 (running).
    assert hours == [22.1, 0.5, 0.0], hours
    assert [s.resumed_at is None for s in spells] == [False, False, True]

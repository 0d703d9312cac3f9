"""Park policies: the schedule is checked with its line, and a kind AWS cannot park is said."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from watchdog.kinds import BY_KIND
from watchdog.kinds._park import Park
from watchdog.policies import validate_path
from watchdog.policies.cron import Cron
from watchdog.policies.load import load_policies
from watchdog.policies.parking import occurrence, parked_hours_per_week
from watchdog.policies.schema import ParkSchedule

POLICY = """\
policies:
  - name: office-hours
    resource: [{kind}]
    conditions: {{status: [InService]}}
    action: park
    park:
      at: "{at}"
      resume: "{resume}"
      timezone: {timezone}
"""
PARIS = ZoneInfo("Europe/Paris")


def problems(tmp_path: Path, **given: str) -> list[str]:
    values = {
        "kind": "sagemaker-notebook-instance",
        "at": "0 20 * * mon-fri",
        "resume": "0 8 * * mon-fri",
        "timezone": "Europe/Paris",
        **given,
    }
    path = tmp_path / "park.yaml"
    path.write_text(POLICY.format(**values), encoding="utf-8")
    return [str(p).removeprefix(f"{path}:") for p in validate_path(path)]


def test_an_office_hours_policy_validates(tmp_path: Path) -> None:
    assert problems(tmp_path) == []
    assert problems(tmp_path, resume="on-demand") == []


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"at": "0 20 * *"}, "7: policies[0].park.at: '0 20 * *': a cron expression has five"),
        ({"resume": "0 25 * * *"}, "8: policies[0].park.resume: hour: '25' is not a value from"),
        ({"timezone": "Mars/Olympus"}, "9: policies[0].park.timezone: unknown timezone"),
    ],
)
def test_a_bad_schedule_is_said_with_its_line(
    tmp_path: Path, given: dict[str, str], said: str
) -> None:
    [problem] = problems(tmp_path, **given)
    assert problem.startswith(said), problem


@pytest.mark.parametrize("kind", [k for k, s in BY_KIND.items() if not isinstance(s.park, Park)])
def test_a_kind_that_cannot_be_parked_is_said_with_the_reason(tmp_path: Path, kind: str) -> None:
    [problem] = problems(tmp_path, kind=kind)
    assert problem.startswith(f"5: policies[0].action: {kind} cannot be parked: "), problem


def said_of(path: Path, text: str) -> list[str]:
    """What `policies validate` says of a file holding `text`, each line without the path."""
    path.write_text(text, encoding="utf-8")
    return [str(p).removeprefix(f"{path}:") for p in validate_path(path)]


def test_park_needs_its_schedule_and_a_schedule_needs_park(tmp_path: Path) -> None:
    said = said_of(
        tmp_path / "p.yaml",
        "policies:\n"
        "  - name: a\n"
        "    resource: [sagemaker-notebook-instance]\n"
        "    conditions: {status: [InService]}\n"
        "    action: park\n"
        "  - name: b\n"
        "    resource: [sagemaker-notebook-instance]\n"
        "    conditions: {status: [InService]}\n"
        "    action: stop\n"
        "    park: {at: '0 20 * * *', resume: on-demand}\n",
    )
    assert said == [
        "2: policies[0]: action park needs its schedule: park: {at, resume, timezone}, or "
        "park_when_idle: 2h",
        "6: policies[1]: park: belongs to action park, not to stop",
    ]


def test_park_when_idle_is_the_idle_window_and_belongs_to_action_park(
    tmp_path: Path,
) -> None:
    head = "    resource: [sagemaker-endpoint]\n    action: park\n"
    said = said_of(
        tmp_path / "p.yaml",
        "policies:\n"
        f"  - name: a\n{head}    conditions: {{status: [InService]}}\n"
        "    park_when_idle: 10m\n"
        f"  - name: b\n{head}    conditions: {{idle: {{window: 3h}}}}\n"
        "    park_when_idle: 2h\n"
        "  - name: d\n    resource: [sagemaker-endpoint]\n    action: notify\n"
        "    conditions: {status: [InService]}\n    park_when_idle: 2h\n",
    )
    assert said == [
        "6: policies[0].park_when_idle: window must be between 1h and 63d (CloudWatch keeps "
        "hourly data 63d)",
        "7: policies[1]: park_when_idle sets the idle window: conditions.idle.window must match "
        "it, or be left out",
        "12: policies[2]: park_when_idle: belongs to action park, not to notify",
    ]
    idle = tmp_path / "idle.yaml"
    idle.write_text(
        f"policies:\n  - name: a\n{head}    conditions: {{status: [InService]}}\n"
        "    park_when_idle: 2h\n",
        encoding="utf-8",
    )
    [policy] = load_policies(idle)
    assert policy.conditions.idle is not None and policy.conditions.idle.window.seconds == 7200
    assert not policy.idle_rule_beside_schedule


def test_a_schedule_and_an_idle_rule_make_one_policy(tmp_path: Path) -> None:
    both = tmp_path / "both.yaml"
    both.write_text(
        "policies:\n  - name: office-hours\n    resource: [sagemaker-endpoint]\n"
        "    action: park\n    conditions: {status: [InService]}\n"
        "    park: {at: '0 20 * * mon-fri', resume: '0 8 * * mon-fri'}\n"
        "    park_when_idle: 2h\n",
        encoding="utf-8",
    )
    [policy] = load_policies(both)
    assert policy.idle_rule_beside_schedule
    # Still the idle window every stage reads (the signals' lookback among them).
    assert policy.conditions.idle is not None and policy.conditions.idle.window.seconds == 7200


def test_cron_reads_names_ranges_steps_and_both_day_fields_as_cron_does() -> None:
    cron = Cron.parse("*/30 9-17/4 1,15 jan-mar mon")
    assert cron.minutes == {0, 30} and cron.hours == {9, 13, 17}
    assert cron.months == {1, 2, 3} and cron.weekdays == {0}
    # Both day fields restricted: the 1st, the 15th, or any Monday.
    assert cron.fires_on(datetime(2026, 1, 5).date())  # a Monday
    assert cron.fires_on(datetime(2026, 1, 15).date())  # a Thursday, the 15th
    assert not cron.fires_on(datetime(2026, 1, 6).date())
    assert Cron.parse("0 0 * * 0").weekdays == Cron.parse("0 0 * * 7").weekdays == {6}


def test_a_local_time_skipped_by_daylight_saving_does_not_fire() -> None:
    cron = Cron.parse("30 2 * * *")  # 02:30 does not exist in Paris on 2026-03-29
    fired = cron.last_at_or_before(datetime(2026, 3, 29, 12, tzinfo=UTC), PARIS)
    assert fired == datetime(2026, 3, 28, 1, 30, tzinfo=UTC)
    after = cron.next_after(datetime(2026, 3, 28, 12, tzinfo=UTC), PARIS)
    assert after == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_an_occurrence_is_parked_until_its_resume_fires() -> None:
    schedule = ParkSchedule(
        at="0 20 * * mon-fri", resume="0 8 * * mon-fri", timezone="Europe/Paris"
    )
    saturday = datetime(2026, 12, 12, 12, tzinfo=UTC)
    parked = occurrence(schedule, saturday)
    assert parked is not None and not parked.resume_due
    assert parked.parks_at == datetime(2026, 12, 11, 19, tzinfo=UTC)  # Friday 20:00 Paris
    assert parked.resumes_at == datetime(2026, 12, 14, 7, tzinfo=UTC)  # Monday 08:00 Paris
    assert parked.key == "20261211T1900Z"
    monday_noon = occurrence(schedule, datetime(2026, 12, 14, 11, tzinfo=UTC))
    assert monday_noon is not None and monday_noon.resume_due
    assert monday_noon.parks_at == parked.parks_at


@pytest.mark.parametrize(
    ("at", "resume", "hours"),
    [
        ("0 20 * * mon-fri", "0 8 * * mon-fri", 108.0),  # 4 nights of 12 h, a 60 h weekend
        ("0 19 * * *", "0 7 * * *", 84.0),  # every night, 12 h
        ("0 20 * * fri", "0 8 * * mon", 60.0),  # weekends only
        ("0 20 * * mon-fri", "on-demand", None),  # depends on people
    ],
)
def test_hours_parked_a_week_follow_the_schedule(at: str, resume: str, hours: float | None) -> None:
    schedule = ParkSchedule(at=at, resume=resume, timezone="Europe/Paris")
    for start in (datetime(2026, 12, 9, 12, tzinfo=UTC), datetime(2026, 12, 13, 3, tzinfo=UTC)):
        assert parked_hours_per_week(schedule, start) == hours


def test_a_tag_approves_parking_only(tmp_path: Path) -> None:
    said = said_of(
        tmp_path / "p.yaml",
        "policies:\n"
        "  - name: a\n"
        "    resource: [sagemaker-notebook-instance]\n"
        "    conditions: {status: [InService]}\n"
        "    action: stop\n"
        "    approval: {automatic_when_tagged: {'watchdog:schedule': office-hours}}\n",
    )
    assert said == [
        "2: policies[0]: approval.automatic_when_tagged approves parking only: a tag never "
        "approves a stop"
    ]

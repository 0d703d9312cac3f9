"""The savings report from a store's findings and audit log: what is at stake (each resource
once), what teardowns and parkings saved inside the window (a restore ends a teardown's saving),
the day-by-day trend, who a finding waits on, and the HTML and CSV a person reads."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.unit.evaluate.factories import NOW, endpoint
from watchdog.findings import Evidence, Finding
from watchdog.report import build_report, render_csv, render_html
from watchdog.signals.models import HOURS_PER_MONTH
from watchdog.store.base import AuditEntry, StoredFinding

DAY = timedelta(days=1)


def stored(
    name: str, cost: float | None, *, policy: str = "idle", state: str = "open", **fields: Any
) -> StoredFinding:
    tags = fields.pop("tags", {"team": "nlp"})
    finding = Finding.model_validate(
        {
            "id": f"f-{name}-{policy}",
            "resource": endpoint(name, tags=tags),
            "policy": policy,
            "action": "delete",
            "reason": "idle",
            "evidence": Evidence(),
            "monthly_cost_usd": cost,
            "cost_basis": "price-list",
            "confidence": "high",
            "owner": "#ml-platform",
        }
        | fields
    )
    seen = NOW - 3 * DAY
    return StoredFinding(
        finding=finding,
        first_seen=seen,
        last_seen=NOW,
        last_run_id="r",
        state=state,  # type: ignore[arg-type]
        state_changed_at=seen,
    )


def entry(at: datetime, outcome: str = "done", **fields: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "id": f"a-{at:%d%H%M}-{outcome}",
        "at": at,
        "run_id": "r",
        "finding_id": "f-gone",
        "op": "sagemaker:DeleteEndpoint",
        "target_arn": "arn:aws:sagemaker:us-east-1:111122223333:endpoint/gone",
        "account": "111122223333",
        "region": "us-east-1",
        "outcome": outcome,
        "description": {"tags": {"team": "risk"}},
    }
    return AuditEntry(**(values | fields))


def test_a_resource_two_policies_flag_is_at_stake_once() -> None:
    findings = [
        stored("big", 1000.0, policy="idle"),
        stored("big", 1000.0, policy="over-budget"),
        stored("small", 100.0, tags={"team": "risk"}),
        stored("unknown", None),
        stored("gone", 500.0, state="done"),
    ]
    report = build_report(findings, [], NOW, NOW - 30 * DAY)

    assert report.at_stake_usd == 1100.0 and report.resources == 3 and report.standing == 4
    assert report.unpriced == 1
    assert [(r.name, r.usd, r.count) for r in report.at_stake_by["team"]] == [
        ("nlp", 1000.0, 2),
        ("risk", 100.0, 1),
    ]
    # Each policy counts what it flagged, so one resource shows under both.
    assert {r.name: r.usd for r in report.at_stake_by["policy"]} == {
        "idle": 1100.0,
        "over-budget": 1000.0,
    }
    assert [o.resource_name for o in report.top_offenders] == ["big", "small", "unknown"]
    assert report.could_save_usd == 1100.0


def test_a_teardown_saves_by_the_hour_inside_the_window_until_its_restore() -> None:
    audit = [
        entry(NOW - 10 * DAY, monthly_cost_saved_usd=730.0),  # $1 an hour, before the window
        entry(NOW - 2 * DAY, finding_id="f-back", monthly_cost_saved_usd=73.0),
        entry(NOW - DAY, outcome="restored", finding_id="f-back"),
        entry(NOW - DAY, outcome="refused", finding_id="f-no", monthly_cost_saved_usd=None),
    ]
    report = build_report([], audit, NOW, NOW - 5 * DAY)

    # The first saves only its five days inside the window; the second its day before restore.
    assert report.saved_by_teardown_usd == pytest.approx(5 * 24 + 73.0 * 24 / HOURS_PER_MONTH)
    assert report.saved_by_parking_usd == 0.0
    assert [(r.name, r.count) for r in report.saved_by_team] == [("risk", 2)]
    assert len(report.trend) == 6
    assert report.trend[-1].cumulative_usd == pytest.approx(report.saved_usd)
    # The restore (yesterday noon) is seen in the trend: today, to noon, only the first saves.
    assert report.trend[-2].usd == pytest.approx(24.0 + 12 * 0.1)
    assert report.trend[-1].usd == pytest.approx(12.0)


def test_a_parking_saves_its_hours_priced_as_parked() -> None:
    park = entry(
        NOW - 10 * timedelta(hours=1),
        step_id="s-0123456789ab-20261124T0200Z",
        finding_id="f-dev",
        parked_monthly_cost_usd=HOURS_PER_MONTH,  # $1 an hour
        op="sagemaker:DeleteEndpoint",
    )
    resume = entry(
        NOW - 4 * timedelta(hours=1),
        step_id="s-0123456789ac-20261124T0200Z",
        finding_id="f-dev",
        op="sagemaker:CreateEndpoint",
    )
    report = build_report([], [park, resume], NOW, NOW - DAY)

    assert report.saved_by_parking_usd == pytest.approx(6.0)
    assert report.saved_by_teardown_usd == 0.0


def test_only_an_open_finding_a_person_must_approve_waits_on_its_owner() -> None:
    findings = [
        stored("asks", 100.0),
        stored("automatic", 100.0, approval="automatic"),
        stored("reported", 100.0, action="notify"),
        stored("approved", 100.0, state="approved"),
        stored("tagged", 100.0, action="park", approved_by_tags="watchdog:schedule=office"),
    ]
    report = build_report(findings, [], NOW, NOW - DAY)

    assert [(w.resource_name, w.waiting_on) for w in report.waiting] == [("asks", "#ml-platform")]


def test_the_html_is_self_contained_and_escapes_what_the_store_holds() -> None:
    hostile = {"team": "<script>alert(1)</script>"}
    report = build_report([stored("x", 42.0, tags=hostile)], [], NOW, NOW - DAY)
    page = render_html(report)

    assert "<script" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page  # no fetched font, script or image
    assert "<svg id='trend'" in page and "id='at-stake'" in page
    assert "$42.00" in page


def test_the_csv_is_one_long_table_a_spreadsheet_can_pivot() -> None:
    report = build_report([stored("x", 42.0)], [], NOW, NOW - DAY)
    rows = list(csv.reader(io.StringIO(render_csv(report))))

    assert rows[0] == ["section", "dimension", "name", "usd", "count"]
    assert ["at_stake", "team", "nlp", "42.00", "1"] in rows
    assert all(len(row) == 5 for row in rows)

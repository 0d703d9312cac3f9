"""Canvas apps judged by Canvas's own inactivity metric (TimeSinceLastActive, in seconds)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.unit.evaluate.factories import NOW, metrics, record, signals
from watchdog.evaluate import evaluate
from watchdog.evaluate.idle import idle_evidence
from watchdog.kinds.sagemaker_app import SPEC as APP
from watchdog.policies.schema import IdleCondition, Policy
from watchdog.records import BillingMode, ResourceRecord
from watchdog.signals.models import Datapoint, MetricSeries

HOUR = 3600.0


def app(app_type: str = "Canvas", **fields: Any) -> ResourceRecord:
    fields.setdefault("created_at", NOW - timedelta(days=2))
    return record(
        "sagemaker-app",
        "default",
        f"app/d-abc/alice/{app_type.lower()}/default",
        status="InService",
        billing=BillingMode(mode="on-demand"),
        instance_count=1,
        attributes={
            "domain_id": "d-abc",
            "app_type": app_type,
            "owner_kind": "user-profile",
            "owner_name": "alice",
        },
        **fields,
    )


def inactive(rec: ResourceRecord, *points: tuple[float, float]) -> MetricSeries:
    """Its declared TimeSinceLastActive series with (hours ago, seconds inactive) points."""
    [query] = APP.metric_queries(rec)
    return MetricSeries(
        query=query,
        points=tuple(
            Datapoint(at=NOW - timedelta(hours=ago), value=value)
            for ago, value in sorted(points, reverse=True)
        ),
    )


def policy(action: str = "delete") -> Policy:
    return Policy.model_validate(
        {
            "name": "idle-canvas",
            "resource": ["sagemaker-app"],
            "conditions": {"idle": {"metric": "inactivity", "window": "2h"}},
            "action": action,
        }
    )


def evidence(rec: ResourceRecord, *series: MetricSeries, window: float = 2) -> Any:
    condition = IdleCondition(metric="inactivity", window=timedelta(hours=window))
    return idle_evidence(rec, series, condition, metrics(*series), NOW)


def test_the_canvas_app_declares_timesincelastactive_per_domain_and_user() -> None:
    [query] = APP.metric_queries(app())
    assert (query.role, query.namespace, query.metric, query.stat) == (
        "inactivity",
        "/aws/sagemaker/Canvas/AppActivity",
        "TimeSinceLastActive",
        "Minimum",
    )
    assert query.dimensions == (("DomainId", "d-abc"), ("UserProfileName", "alice"))
    assert APP.metric_queries(app("JupyterLab")) == ()


def test_inactive_for_at_least_the_window_is_idle() -> None:
    rec = app()
    reading = evidence(rec, inactive(rec, (2, 3 * HOUR), (1, 4 * HOUR), (0.2, 5 * HOUR)))
    assert reading.state == "idle"
    assert reading.facts["inactive_hours"] == "5.00"
    assert "inactive for at least 5.0 hours" in reading.detail


def test_recent_activity_is_active_even_after_a_long_idle_spell() -> None:
    rec = app()
    # Idle for hours, then the user came back: the newest reading is what counts.
    reading = evidence(rec, inactive(rec, (2, 9 * HOUR), (1, 10 * HOUR), (0.2, 600.0)))
    assert reading.state == "active"


def test_just_under_the_window_is_active_and_exactly_the_window_is_idle() -> None:
    rec = app()
    assert evidence(rec, inactive(rec, (0.2, 2 * HOUR - 1))).state == "active"
    assert evidence(rec, inactive(rec, (0.2, 2 * HOUR))).state == "idle"


def test_no_datapoints_in_the_window_is_unknown_not_idle() -> None:
    rec = app()
    # Only an old point, before the 2-hour window: nothing says what happened since.
    reading = evidence(rec, inactive(rec, (5, 50 * HOUR)))
    assert reading.state == "unknown"
    assert reading.unknown_cause == "no-metrics"
    assert evidence(rec, inactive(rec)).state == "unknown"


def test_a_series_that_stopped_being_published_is_unknown() -> None:
    rec = app()
    # A 24-hour window: the newest point is 20 hours old, far more than two hourly periods.
    reading = evidence(rec, inactive(rec, (20, 30 * HOUR)), window=24)
    assert reading.state == "unknown"
    assert "last published 20.0 hours ago" in reading.detail


def test_a_failed_query_is_unknown() -> None:
    rec = app()
    failed = inactive(rec).model_copy(update={"error": "Forbidden"})
    assert evidence(rec, failed).unknown_cause == "query-failed"


def test_an_app_younger_than_the_window_is_too_new() -> None:
    rec = app(created_at=NOW - timedelta(hours=1))
    assert evidence(rec, inactive(rec, (0.2, 3000.0))).unknown_cause == "too-new"


def test_an_idle_canvas_app_is_a_delete_finding_that_keeps_its_s3_data() -> None:
    rec = app()
    result = evaluate([rec], signals(inactive(rec, (0.5, 3 * HOUR))), [policy()], NOW)
    [finding] = result.findings
    assert (finding.action, finding.evidence.state, finding.confidence) == (
        "delete",
        "idle",
        "high",
    )
    [kept] = APP.teardown.keeps(rec)
    assert "S3" in kept.what


def test_an_unknown_canvas_reading_only_notifies() -> None:
    rec = app()
    result = evaluate([rec], signals(inactive(rec)), [policy()], NOW)
    [finding] = result.findings
    assert (finding.action, finding.confidence) == ("notify", "low")


def test_an_active_canvas_app_has_no_finding() -> None:
    rec = app()
    assert evaluate([rec], signals(inactive(rec, (0.5, 60.0))), [policy()], NOW).findings == []


@pytest.mark.parametrize("app_type", ["JupyterLab", "CodeEditor"])
def test_an_inactivity_policy_passes_over_apps_that_publish_no_inactivity(app_type: str) -> None:
    rec = app(app_type)
    assert evaluate([rec], signals(), [policy()], NOW).findings == []

"""`GET /metrics`: valid Prometheus text, with what the last cycle found and what the daemon has
done since it started."""

from __future__ import annotations

import re
from typing import Literal

import pytest

from tests.unit.evaluate.factories import ACCOUNT, NOW, REGION, arn
from watchdog.act import ApplyResult, ApplySummary, FindingOutcome, StepFate, StepOutcome
from watchdog.daemon.metrics import Metrics
from watchdog.notify.notifier import NotifyResult
from watchdog.records import Kind, ScanError
from watchdog.service.cycle import CycleResult
from watchdog.signals.self_cost import self_cost

ENDPOINT = arn("endpoint/llm")
NOTEBOOK = arn("notebook-instance/lab")
AT = 1_795_000_000.0

_SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(?P<labels>[^}]*)\})? (?P<value>\S+)$"
)
# A label value may hold any character, with a backslash, a quote and a newline escaped.
_LABEL = re.compile(r'^[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\[\\"n])*"$')


def parse(text: str) -> dict[str, float]:
    """The samples of a Prometheus text exposition, by `name{labels}`; fails on anything a
    scraper would refuse: a sample before its family's HELP and TYPE, a repeated family, an
    unknown type, a malformed label or value."""
    assert text.endswith("\n")
    helped: set[str] = set()
    typed: set[str] = set()
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            assert name not in helped, f"second HELP for {name}"
            helped.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert name not in typed, f"second TYPE for {name}"
            assert kind in {"counter", "gauge"}
            typed.add(name)
        else:
            match = _SAMPLE.match(line)
            assert match, f"not a sample: {line!r}"
            name, labels = match["name"], match["labels"]
            assert name in helped and name in typed, f"{name} has no HELP or TYPE before it"
            if labels:
                assert all(_LABEL.match(pair) for pair in labels.split(",")), line
            key = f"{name}{{{labels}}}" if labels else name
            assert key not in samples, f"repeated sample {key}"
            samples[key] = float(match["value"])
    return samples


def step(fate: StepFate) -> StepOutcome:
    return StepOutcome(
        step_id=f"s-{fate}",
        op="sagemaker:DeleteEndpoint",
        target_arn=ENDPOINT,
        target_kind="sagemaker-endpoint",
        target_name="llm",
        fate=fate,
    )


def outcome(
    finding_id: str,
    resource_arn: str,
    kind: Kind,
    action: Literal["delete", "stop", "notify"],
    cost: float | None,
    *fates: StepFate,
) -> FindingOutcome:
    return FindingOutcome(
        finding_id=finding_id,
        policy="idle",
        action=action,
        resource_arn=resource_arn,
        resource_kind=kind,
        resource_name=resource_arn.rsplit("/", 1)[-1],
        account=ACCOUNT,
        region=REGION,
        fate="done" if fates else "needs-approval",
        monthly_cost_usd=cost,
        steps=[step(f) for f in fates],
    )


def cycle(
    *outcomes: FindingOutcome,
    slack: NotifyResult | None = None,
    errors: tuple[ScanError, ...] = (),
) -> CycleResult:
    summary = ApplySummary(
        findings=len(outcomes), by_fate={}, steps_by_fate={}, monthly_savings_usd=0
    )
    cost = self_cost(2000, 1, 2, 0)
    apply = ApplyResult(
        self_cost=cost,
        run_id="run-1",
        mode="execute",
        generated_at=NOW,
        findings=list(outcomes),
        summary=summary,
        errors=list(errors),
    )
    return CycleResult(apply=apply, slack=slack)


def busy_cycle() -> CycleResult:
    """An endpoint flagged by two policies (deleted by one), and a notebook to stop."""
    return cycle(
        outcome("f-1", ENDPOINT, "sagemaker-endpoint", "delete", 1000.0, "done", "done", "failed"),
        outcome("f-2", ENDPOINT, "sagemaker-endpoint", "notify", 1000.0),
        outcome("f-3", NOTEBOOK, "sagemaker-notebook-instance", "stop", 36.5, "would-run"),
        slack=NotifyResult(posted=3, updated=1, failed=["f-9: channel_not_found"]),
        errors=(ScanError(account=ACCOUNT, region="eu-west-1", kind="*", error="AccessDenied"),),
    )


def test_a_fresh_daemon_serves_valid_metrics_with_nothing_counted() -> None:
    samples = parse(Metrics().render())

    assert samples == {
        "watchdog_monthly_usd_at_stake": 0.0,
        "watchdog_parking_saved_usd": 0.0,
        "watchdog_parked_hours": 0.0,
        "watchdog_errors_total": 0.0,
        "watchdog_last_cycle_timestamp_seconds": 0.0,
        "watchdog_self_cost_usd_total": 0.0,
        "watchdog_metrics_requested_total": 0.0,
    }


def test_every_family_is_described_even_before_its_first_sample() -> None:
    text = Metrics().render()

    for family in (
        "watchdog_cycles_total",
        "watchdog_findings",
        "watchdog_steps_total",
        "watchdog_slack_messages_total",
        "watchdog_work_total",
        "watchdog_parking_ticks_total",
    ):
        assert f"# HELP {family} " in text and f"# TYPE {family} " in text


def test_a_cycle_shows_its_findings_the_money_at_stake_and_what_it_did() -> None:
    metrics = Metrics()

    metrics.cycle_ran(busy_cycle(), at=AT)
    samples = parse(metrics.render())

    assert samples['watchdog_cycles_total{outcome="ok"}'] == 1
    assert samples['watchdog_findings{kind="sagemaker-endpoint",action="delete"}'] == 1
    assert samples['watchdog_findings{kind="sagemaker-endpoint",action="notify"}'] == 1
    assert samples['watchdog_findings{kind="sagemaker-notebook-instance",action="stop"}'] == 1
    # The endpoint two policies flag costs its money once.
    assert samples["watchdog_monthly_usd_at_stake"] == 1036.5
    assert samples['watchdog_steps_total{fate="done"}'] == 2
    assert samples['watchdog_steps_total{fate="failed"}'] == 1
    assert samples['watchdog_steps_total{fate="would-run"}'] == 1
    assert samples['watchdog_slack_messages_total{outcome="posted"}'] == 3
    assert samples['watchdog_slack_messages_total{outcome="updated"}'] == 1
    assert samples['watchdog_slack_messages_total{outcome="failed"}'] == 1
    assert samples["watchdog_errors_total"] == 1
    assert samples["watchdog_last_cycle_timestamp_seconds"] == AT
    # What the cycle's own requests cost: 2,000 metrics, a ListMetrics, two Cost Explorer.
    assert samples["watchdog_metrics_requested_total"] == 2000
    assert samples["watchdog_self_cost_usd_total"] == pytest.approx(0.02 + 0.00001 + 0.02)


def test_the_findings_gauge_shows_the_last_cycle_and_counters_add_up() -> None:
    metrics = Metrics()
    metrics.cycle_ran(busy_cycle(), at=AT)

    quiet = cycle(
        outcome("f-3", NOTEBOOK, "sagemaker-notebook-instance", "stop", None, "done"),
        slack=NotifyResult(updated=2),
    )
    metrics.cycle_ran(quiet, at=AT + 3600)
    samples = parse(metrics.render())

    findings = {k: v for k, v in samples.items() if k.startswith("watchdog_findings{")}
    assert findings == {'watchdog_findings{kind="sagemaker-notebook-instance",action="stop"}': 1}
    assert samples["watchdog_monthly_usd_at_stake"] == 0.0  # its cost is unknown
    assert samples['watchdog_cycles_total{outcome="ok"}'] == 2
    assert samples['watchdog_steps_total{fate="done"}'] == 3
    assert samples['watchdog_slack_messages_total{outcome="posted"}'] == 3
    assert samples['watchdog_slack_messages_total{outcome="updated"}'] == 3
    assert samples["watchdog_errors_total"] == 1
    assert samples["watchdog_last_cycle_timestamp_seconds"] == AT + 3600


def test_without_slack_no_messages_are_counted() -> None:
    metrics = Metrics()

    metrics.cycle_ran(cycle(outcome("f-1", ENDPOINT, "sagemaker-endpoint", "delete", 12.345)), AT)
    samples = parse(metrics.render())

    assert not any(k.startswith("watchdog_slack_messages_total") for k in samples)
    assert samples["watchdog_monthly_usd_at_stake"] == 12.35


def test_counted_work_and_failed_cycles_show_up() -> None:
    metrics = Metrics()

    metrics.count("work", "execute")
    metrics.count("work", "execute")
    metrics.count("work", "update")
    metrics.count("cycles", "failed")
    metrics.count("cycles", "skipped")
    samples = parse(metrics.render())

    assert samples['watchdog_work_total{task="execute"}'] == 2
    assert samples['watchdog_work_total{task="update"}'] == 1
    assert samples['watchdog_cycles_total{outcome="failed"}'] == 1
    assert samples['watchdog_cycles_total{outcome="skipped"}'] == 1
    # A failed cycle is an error too; a skipped one (another daemon held the lock) is not.
    assert samples["watchdog_errors_total"] == 1


def test_parking_ticks_and_what_parking_saved_show_up() -> None:
    metrics = Metrics()

    metrics.count("parking", "ran")
    metrics.count("parking", "ran")
    metrics.count("parking", "skipped")
    metrics.parking_saved(1234.5678, 540.0, [("genai", 1000.004), ('ml "ops"\\', 234.5638)])
    samples = parse(metrics.render())

    assert samples['watchdog_parking_ticks_total{outcome="ran"}'] == 2
    assert samples['watchdog_parking_ticks_total{outcome="skipped"}'] == 1
    assert samples["watchdog_parking_saved_usd"] == 1234.57
    assert samples["watchdog_parked_hours"] == 540.0
    assert samples['watchdog_parking_saved_usd_by_team{team="genai"}'] == 1000.0
    # A team tag is whatever someone typed: quotes and backslashes are escaped, not breaking
    # the exposition format.
    assert samples['watchdog_parking_saved_usd_by_team{team="ml \\"ops\\"\\\\"}'] == 234.56

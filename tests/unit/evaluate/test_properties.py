"""Property-based safety: over generated inventories and signals, no stop or delete is ever
proposed for an exempt, busy, serverless, scaled-to-zero, committed or unknown-evidence
resource, and every plan respects the dependency order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.evaluate.factories import (
    NOW,
    endpoint,
    endpoint_config,
    hourly,
    linked,
    model,
    record,
    series,
    signals,
    studio_domain,
)
from watchdog.evaluate import evaluate
from watchdog.findings import Finding
from watchdog.plan import plan
from watchdog.policies.exemptions import exempt_because
from watchdog.policies.schema import Exemptions, Policy
from watchdog.records import BillingMode, ResourceRecord
from watchdog.signals.models import MetricSeries

TRAFFIC = ("none", "zeros", "busy", "trickle", "failed")
LOAD = ("present", "absent", "failed")

exempt_tags = st.sampled_from(
    [
        {},
        {},
        {"watchdog:exempt": "true"},
        {"watchdog:expires": (NOW.date() + timedelta(days=5)).isoformat()},
        {"watchdog:expires": (NOW.date() - timedelta(days=5)).isoformat()},
        {"watchdog:expires": "soon"},
    ]
)


@st.composite
def endpoints(draw: st.DrawFn, i: int) -> tuple[list[ResourceRecord], list[MetricSeries]]:
    shared = draw(st.booleans())
    name = f"ep{i}"
    config = "shared-config" if shared else f"{name}-config"
    kind = draw(st.sampled_from(["instances", "serverless", "async-zero"]))
    ep = endpoint(
        name,
        config=config,
        serverless=kind == "serverless",
        age_days=draw(st.floats(min_value=0.1, max_value=60)),
        status=draw(st.sampled_from(["InService", "InService", "Creating", "Failed"])),
        tags=draw(exempt_tags),
        variants=tuple(f"v{n}" for n in range(draw(st.integers(1, 3)))),
    )
    if kind == "async-zero":
        ep = ep.model_copy(update={"billing": BillingMode(mode="scaled-to-zero")})
    data = []
    for _variant in ep.variants:
        traffic = draw(st.sampled_from(TRAFFIC))
        points = {"none": (), "zeros": hourly(0.0), "busy": hourly(50.0), "trickle": hourly(0.01)}
        data.append(
            series(
                ep,
                "traffic",
                points.get(traffic, ()),
                error="boom" if traffic == "failed" else None,
            )
        )
        load = draw(st.sampled_from(LOAD))
        data.append(
            series(
                ep,
                "load",
                hourly(3.0) if load == "present" else (),
                error="boom" if load == "failed" else None,
            )
        )
    records = [ep]
    if not shared:
        records += [endpoint_config(config, (f"{name}-model",)), model(f"{name}-model")]
    return records, data


def throughput(i: int, committed_days: float | None, tags: dict[str, str]) -> ResourceRecord:
    billing = (
        BillingMode(mode="committed", committed_until=NOW + timedelta(days=committed_days))
        if committed_days is not None
        else BillingMode(mode="on-demand")
    )
    return record(
        "bedrock-provisioned-throughput",
        f"pt{i}",
        f"provisioned-model/pt{i}",
        status="InService",
        instance_count=1,
        billing=billing,
        tags=tags,
    )


@st.composite
def inventories(draw: st.DrawFn) -> tuple[list[ResourceRecord], list[MetricSeries]]:
    resources: list[ResourceRecord] = [
        endpoint_config("shared-config", ("shared-model",)),
        model("shared-model"),
    ]
    data: list[MetricSeries] = []
    for i in range(draw(st.integers(0, 6))):
        records, series_ = draw(endpoints(i))
        resources += records
        data += series_
    for i in range(draw(st.integers(0, 3))):
        committed = draw(st.one_of(st.none(), st.floats(min_value=-30, max_value=180)))
        pt = throughput(i, committed, draw(exempt_tags))
        resources.append(pt)
        if draw(st.booleans()):
            data.append(series(pt, "traffic", hourly(5.0)))
        else:
            data.append(series(pt, "traffic"))
    if draw(st.booleans()):
        studio = studio_domain(idle_enabled=draw(st.sampled_from([None, False, True])))
        studio = [r.model_copy(update={"tags": draw(exempt_tags)}) for r in studio]
        resources += studio
    return linked(*resources), data


def aggressive_policies(mode: str) -> list[Policy]:
    """Every action as destructive as possible, approvals automatic: the worst case."""
    approval: dict[str, Any] = {"mode": mode, "grace": "1h"}
    specs: list[dict[str, Any]] = [
        {"resource": ["sagemaker-endpoint"], "conditions": {"idle": {"window": "7d"}}},
        {"resource": ["sagemaker-endpoint"], "conditions": {"idle": {"threshold": 5}}},
        {"resource": ["bedrock-provisioned-throughput"], "conditions": {"idle": {}}},
        {"resource": ["sagemaker-endpoint"], "conditions": {"status": ["Failed", "Creating"]}},
        {"resource": ["sagemaker-domain"], "conditions": {"idle_shutdown": "disabled"}},
        {"resource": ["sagemaker-app"], "conditions": {"status": ["InService"]}, "action": "stop"},
    ]
    return [
        Policy.model_validate({"name": f"p{i}", "action": "delete", "approval": approval, **spec})
        for i, spec in enumerate(specs)
    ]


def destructive(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.action in ("stop", "delete")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.sampled_from(["required", "automatic"]))
def test_nothing_unsafe_is_ever_proposed(
    inventory: tuple[list[ResourceRecord], list[MetricSeries]], mode: str
) -> None:
    resources, data = inventory
    policies = aggressive_policies(mode)
    findings = evaluate(resources, signals(*data), policies, NOW).findings
    for finding in destructive(findings):
        resource = finding.resource
        assert exempt_because(resource, Exemptions(), NOW) is None
        assert resource.billing.mode not in ("serverless", "scaled-to-zero")
        assert finding.evidence.state in ("idle", "not-measured")
        assert finding.confidence != "low"
        if finding.evidence.state == "idle":
            assert (finding.evidence.invocations or 0) <= (finding.evidence.threshold or 0)

    by_arn = {r.arn.lower(): r for r in resources}
    for finding in plan(findings, resources, NOW, policies):
        seen: set[str] = set()
        deleted: dict[str, int] = {}
        for position, step in enumerate(finding.steps):
            # Dependency order: what a step waits for comes earlier.
            assert set(step.depends_on) <= seen
            seen.add(step.id)
            target = by_arn[step.target_arn.lower()]
            # Never an exempt resource, even one inside what is torn down.
            assert exempt_because(target, Exemptions(), NOW) is None
            committed = target.billing.committed_until
            if target.billing.mode == "committed" and committed and committed > NOW:
                assert step.blocked is not None
            deleted[target.arn.lower()] = position
        # Containment: children go before their parent; users before what they use.
        for key, position in deleted.items():
            for child in by_arn[key].child_arns:
                if child.lower() in deleted:
                    assert deleted[child.lower()] < position
            for used in by_arn[key].uses_arns:
                if used.lower() in deleted:
                    assert deleted[used.lower()] > position
                    # Shared configs/models go only when every user goes too.
                    users = by_arn[used.lower()].used_by_arns
                    assert all(u.lower() in deleted for u in users)


def test_the_generator_does_produce_destructive_plans() -> None:
    """Guards the property test against a generator that never exercises the planner."""
    ep = endpoint("ep", config="c")
    resources = linked(ep, endpoint_config("c", ("m",)), model("m"), *studio_domain())
    data = [series(ep, "traffic"), series(ep, "load", hourly(3.0))]
    findings = evaluate(resources, signals(*data), aggressive_policies("automatic"), NOW).findings
    planned = plan(findings, resources, NOW, aggressive_policies("automatic"))
    assert sum(len(f.steps) for f in planned) >= 10

"""Evaluate marks a park finding its resource's own tags approve (pure: the scan's tags only)."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.evaluate.factories import NOW, endpoint, signals
from watchdog.evaluate import evaluate
from watchdog.findings import Finding
from watchdog.policies.schema import Policy

CONSENT = {"watchdog:schedule": "office-hours"}


def office_hours(mode: str = "required", **consent: str) -> Policy:
    return Policy.model_validate(
        {
            "name": "office-hours",
            "resource": ["sagemaker-endpoint"],
            "conditions": {"status": ["InService"]},
            "action": "park",
            "approval": {"mode": mode, "automatic_when_tagged": consent or CONSENT},
            "park": {"at": "0 20 * * mon-fri", "resume": "0 8 * * mon-fri"},
        }
    )


def findings(policy: Policy, **tags_by_name: dict[str, str]) -> dict[str, Finding]:
    records = [endpoint(name, tags=tags) for name, tags in tags_by_name.items()]
    result = evaluate(records, signals(), [policy], NOW)
    return {f.resource.name: f for f in result.findings}


def test_a_resource_tagged_into_the_schedule_is_approved_by_its_tags() -> None:
    found = findings(
        office_hours(),
        tagged={**CONSENT, "team": "ml"},
        untagged={},
        other_schedule={"watchdog:schedule": "weekends"},
        other_case={"Watchdog:Schedule": "office-hours"},  # AWS tag keys are case-sensitive
    )

    assert {name: f.action for name, f in found.items()} == dict.fromkeys(found, "park")
    assert found["tagged"].approved_by_tags == "watchdog:schedule=office-hours"
    assert found["tagged"].tag_approver == "tag:watchdog:schedule=office-hours"
    for name in ("untagged", "other_schedule", "other_case"):
        assert found[name].approved_by_tags is None, name
        assert found[name].tag_approver is None
        assert found[name].approval == "required"  # a person approves these


def test_every_listed_pair_is_needed() -> None:
    policy = office_hours(**{"watchdog:schedule": "office-hours", "team": "ml"})

    found = findings(policy, both={**CONSENT, "team": "ml"}, one=CONSENT)

    assert found["both"].tag_approver == "tag:team=ml,watchdog:schedule=office-hours"
    assert found["one"].approved_by_tags is None


def test_a_tag_approves_with_no_grace_period_even_under_automatic_approval() -> None:
    found = findings(office_hours(mode="automatic"), tagged=CONSENT)

    # The grace period stays the policy's (for the untagged); the tag needs none (act).
    assert found["tagged"].approved_by_tags == "watchdog:schedule=office-hours"


def test_a_finding_downgraded_to_notify_is_not_approved_by_its_tags() -> None:
    serverless = endpoint("serverless", serverless=True, tags=CONSENT)

    [finding] = evaluate([serverless], signals(), [office_hours()], NOW).findings

    assert finding.action == "notify"
    assert finding.approved_by_tags is None


def test_the_json_adds_one_optional_field_and_older_findings_still_load() -> None:
    [finding] = findings(office_hours(), tagged=CONSENT).values()
    dumped: dict[str, Any] = json.loads(finding.model_dump_json())
    assert dumped["approved_by_tags"] == "watchdog:schedule=office-hours"

    del dumped["approved_by_tags"]  # a finding an older version stored
    old = Finding.model_validate(dumped)

    assert old.approved_by_tags is None and old.tag_approver is None

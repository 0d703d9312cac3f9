"""What must not change between a finding being approved and its teardown. Pure.

An approval is for the resource a person saw: the same resource (not one re-created under its
name), the same size, the same configuration, and nothing new inside it (a new app in a domain
means someone is using it). Tags and status are left out: an owner tag added, or an endpoint
going Updating, is not a different resource (status is checked step by step anyway).

A teardown resumed after it already stopped the resource, or started deleting it, finds fewer
instances and a different bill: its own doing. Those running-state fields are then left out too;
what the resource is (ARN, creation time, type, configuration) must still match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from watchdog.records import ResourceRecord

IDENTITY_FIELDS = (
    "kind",
    "arn",
    "created_at",
    "instance_type",
    "instance_count",
    "billing",
    "uses_arns",
    "variants",
)


# What stopping or deleting the resource itself changes (a stopped notebook runs no instance and
# bills storage only; a deleting endpoint's variants drain).
RUNNING_STATE_FIELDS = ("instance_count", "billing")
RUNNING_STATE_VARIANT_FIELDS = ("current_instance_count",)


def identity(record: ResourceRecord, *, running_state: bool = True) -> dict[str, object]:
    dumped = record.model_dump(mode="json", include=set(IDENTITY_FIELDS))
    found = {name: dumped.get(name) for name in IDENTITY_FIELDS}
    if not running_state:
        for name in RUNNING_STATE_FIELDS:
            found[name] = None
        found["variants"] = [
            {k: v for k, v in variant.items() if k not in RUNNING_STATE_VARIANT_FIELDS}
            for variant in dumped.get("variants") or ()
        ]
    return found


def fingerprint(record: ResourceRecord, targets: Iterable[str]) -> str:
    """A digest of the resource's identity and of everything its teardown touches."""
    body = {"identity": identity(record), "targets": sorted(t.lower() for t in targets)}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def changes(
    baseline: ResourceRecord,
    baseline_targets: Iterable[str],
    fresh: ResourceRecord,
    fresh_targets: Iterable[str],
    *,
    acted_on: bool = False,
) -> list[str]:
    """How `fresh` differs from what was approved, in words; empty when it may proceed.

    Fewer targets is fine (someone deleted an app by hand); new ones are not. `acted_on`: a step
    of this teardown already stopped the resource or started deleting it, so its running state
    is not compared.
    """
    before = identity(baseline, running_state=not acted_on)
    after = identity(fresh, running_state=not acted_on)
    found = [
        f"{name} was {_show(before[name])}, now {_show(after[name])}"
        for name in IDENTITY_FIELDS
        if before[name] != after[name]
    ]
    known = {t.lower() for t in baseline_targets}
    new = sorted(t for t in fresh_targets if t.lower() not in known)
    if new:
        found.append("new resources inside since it was approved: " + ", ".join(new))
    return found


def _show(value: object) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."

"""opensearch-serverless-collection: its record from BatchGetCollection, its OCU price (shared by
the collections of one KMS key), and its idle reading from AWS/AOSS requests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.unit.evaluate.factories import NOW, REGION, hourly, signals
from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.evaluate import evaluate
from watchdog.kinds import BY_KIND
from watchdog.kinds.opensearch_serverless_collection import (
    KIND,
    _ocu_groups,
    metric_queries,
    to_record,
)
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.models import MetricSeries, Price, PriceKey, price_key_id

ACCOUNT = "123456789012"
ARN = f"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/abc123"


def detail(status: str = "ACTIVE", **fields: Any) -> dict[str, Any]:
    created = NOW - timedelta(days=20)
    return {
        "id": "abc123",
        "name": "kb-vectors",
        "arn": ARN,
        "status": status,
        "type": "VECTORSEARCH",
        "kmsKeyArn": "auto",
        "standbyReplicas": "ENABLED",
        "createdDate": int(created.timestamp() * 1000),
        **fields,
    }


def collection(status: str = "ACTIVE", sharing: int = 1, **fields: Any) -> ResourceRecord:
    return to_record(ACCOUNT, REGION, detail(status, **fields), {"owner": "ana"}, sharing)


def test_the_record_carries_its_id_type_and_creation_time_from_milliseconds() -> None:
    rec = collection()
    assert (rec.kind, rec.name, rec.arn, rec.status) == (KIND, "kb-vectors", ARN, "ACTIVE")
    assert rec.created_at == NOW - timedelta(days=20)
    assert rec.attributes["collection_id"] == "abc123"
    assert rec.billing.mode == "on-demand"
    assert collection("FAILED").billing.mode == "none"


@pytest.mark.parametrize(
    ("standby", "sharing", "each"), [("ENABLED", 1, 1.0), ("DISABLED", 1, 0.5), ("ENABLED", 2, 0.5)]
)
def test_it_bills_its_share_of_the_ocu_floor_for_indexing_and_search(
    standby: str, sharing: int, each: float
) -> None:
    rec = collection(sharing=sharing, standbyReplicas=standby)
    units = BY_KIND[KIND].price_units(rec)
    assert [(u.key.component, u.key.unit, u.count) for u in units] == [
        ("opensearch-serverless-ocu", "IndexingOCU", each),
        ("opensearch-serverless-ocu", "SearchOCU", each),
    ]
    assert BY_KIND[KIND].price_units(collection("FAILED")) == ()


def test_vector_collections_share_ocus_only_with_vector_collections_of_their_key() -> None:
    found = _ocu_groups(
        [
            detail(id="a"),
            detail(id="b"),
            detail(id="c", type="SEARCH"),
            detail(id="d", kmsKeyArn="arn:aws:kms:us-east-1:1:key/x"),
            detail(id="e", status="FAILED"),
        ]
    )
    assert found == {
        ("vector", "auto"): 2,
        ("search", "auto"): 1,
        ("vector", "arn:aws:kms:us-east-1:1:key/x"): 1,
    }


def test_its_series_are_the_documented_aoss_ones_with_their_three_dimensions() -> None:
    queries = metric_queries(collection())
    assert [(q.role, q.metric, q.stat) for q in queries] == [
        ("traffic", "SearchRequestRate", "Sum"),
        ("traffic", "IngestionRequestSuccess", "Sum"),
        ("load", "ActiveCollection", "Maximum"),
    ]
    assert {q.namespace for q in queries} == {"AWS/AOSS"}
    assert queries[0].dimensions == (
        ("ClientId", ACCOUNT),
        ("CollectionId", "abc123"),
        ("CollectionName", "kb-vectors"),
    )


def policy() -> Policy:
    return Policy.model_validate(
        {
            "name": "idle-vectors",
            "resource": [KIND],
            "conditions": {"idle": {"window": "7d"}},
            "action": "delete",
        }
    )


def answered(rec: ResourceRecord, search: float, active: bool = True) -> list[MetricSeries]:
    values = {"SearchRequestRate": search, "IngestionRequestSuccess": 0.0, "ActiveCollection": 1.0}
    out = []
    for query in metric_queries(rec):
        value = values[query.metric]
        present = value > 0 and (active or query.role != "load")
        out.append(MetricSeries(query=query, points=hourly(value) if present else ()))
    return out


def priced(*series: MetricSeries) -> Any:
    result = signals(*series)
    table = {}
    for unit in ("IndexingOCU", "SearchOCU"):
        key = PriceKey(component="opensearch-serverless-ocu", region=REGION, unit=unit)
        table[price_key_id(key)] = Price(key=key, usd_per_hour=0.24, basis="fallback", source="t")
    return result.model_copy(update={"prices": result.prices.model_copy(update={"prices": table})})


def test_a_collection_nothing_queries_is_idle_and_costs_its_ocu_floor() -> None:
    rec = collection()
    [finding] = evaluate([rec], priced(*answered(rec, 0.0)), [policy()], NOW).findings
    assert finding.evidence.state == "idle" and finding.action == "delete"
    assert "0 search requests or ingestions" in finding.evidence.detail
    assert finding.monthly_cost_usd == pytest.approx(2 * 0.24 * 730)


def test_a_searched_collection_is_active() -> None:
    rec = collection()
    assert evaluate([rec], priced(*answered(rec, 40.0)), [policy()], NOW).findings == []


def test_without_active_collection_datapoints_no_traffic_is_unknown_never_deleted() -> None:
    rec = collection()
    silent = answered(rec, 0.0, active=False)
    [finding] = evaluate([rec], priced(*silent), [policy()], NOW).findings
    assert finding.evidence.state == "unknown" and finding.action == "notify"


def test_deletion_protection_is_a_refusal_and_the_security_policies_are_kept() -> None:
    teardown = BY_KIND[KIND].teardown
    protected = collection(deletionProtection="ENABLED")
    why = teardown.refuses(protected)
    assert why is not None and "deletion protection" in why
    assert teardown.refuses(collection()) is None
    [kept] = teardown.keeps(collection())
    assert "encryption, network and data access policies" in kept.what
    assert "cannot be restored" in BY_KIND[KIND].restore.why_not


def test_deleting_one_of_collections_sharing_ocus_saves_nothing_until_all_would_go() -> None:
    busy = collection(sharing=2, id="def456", name="kb-busy", arn=ARN.replace("abc123", "def456"))
    idle = collection(sharing=2)
    series = [*answered(idle, 0.0), *answered(busy, 40.0)]
    [finding] = evaluate([idle, busy], priced(*series), [policy()], NOW).findings
    # Its share of the group's floor is what it costs; deleting it alone saves none of it.
    assert finding.monthly_cost_usd == pytest.approx(0.24 * 730)
    assert finding.monthly_savings_usd() == 0.0 and finding.shared_bill is not None
    assert "only 1 of them would go: deleting it saves nothing" in finding.reason
    assert "the OCUs of the 2 vector search collections encrypted with auto" in finding.reason

    both = [*answered(idle, 0.0), *answered(busy, 0.0)]
    found = evaluate([idle, busy], priced(*both), [policy()], NOW).findings
    assert [f.monthly_savings_usd() for f in found] == pytest.approx([0.24 * 730] * 2)
    assert all(f.shared_bill is None for f in found)


def test_the_audit_log_counts_no_saving_for_a_collection_whose_ocus_stay_shared() -> None:
    from watchdog.act.audit import step_entry  # act's own record of a step (unit-tested here)
    from watchdog.findings import Step

    busy = collection(sharing=2, id="def456", name="kb-busy", arn=ARN.replace("abc123", "def456"))
    idle = collection(sharing=2)
    series = [*answered(idle, 0.0), *answered(busy, 40.0)]
    [finding] = evaluate([idle, busy], priced(*series), [policy()], NOW).findings
    step = Step(
        id="s-1", op="aoss:DeleteCollection", target_arn=ARN, target_kind=KIND, target_name="kb"
    )
    values: dict[str, Any] = {"entry_id": "a-1", "at": NOW, "run_id": "r", "step": step}
    entry = step_entry(
        **values, finding=finding, target=idle, outcome="done", approved_by="me", described={}
    )
    assert entry.monthly_cost_saved_usd == 0.0
    alone = finding.model_copy(update={"shared_bill": None})
    entry = step_entry(
        **values, finding=alone, target=idle, outcome="done", approved_by="me", described={}
    )
    assert entry.monthly_cost_saved_usd == pytest.approx(0.24 * 730)


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert BY_KIND[KIND].teardown.in_progress == frozenset({"DELETING"})


def test_its_default_policies_are_shipped() -> None:
    assert {"idle-vector-collections"} <= shipped_for(KIND)

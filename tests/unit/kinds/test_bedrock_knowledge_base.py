"""bedrock-knowledge-base and bedrock-data-source: their links to the collection, the teardown
order a collection's delete plans (data sources, knowledge bases, then the collection), and the
knowledge bases an agent uses, which are never deleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.unit.evaluate.factories import NOW, REGION, linked
from tests.unit.kinds.test_opensearch_serverless_collection import collection
from watchdog.findings import Evidence, Finding
from watchdog.kinds import BY_KIND, bedrock_data_source, bedrock_knowledge_base
from watchdog.plan import plan
from watchdog.records import ResourceRecord

ACCOUNT = "123456789012"
COLLECTION_ARN = f"arn:aws:aoss:{REGION}:{ACCOUNT}:collection/abc123"


def kb(kb_id: str = "KB12345678", agents: tuple[str, ...] = (), **tags: str) -> ResourceRecord:
    detail: dict[str, Any] = {
        "knowledgeBaseId": kb_id,
        "name": f"kb-{kb_id.lower()}",
        "knowledgeBaseArn": f"arn:aws:bedrock:{REGION}:{ACCOUNT}:knowledge-base/{kb_id}",
        "status": "ACTIVE",
        "createdAt": NOW - timedelta(days=30),
        "storageConfiguration": {
            "type": "OPENSEARCH_SERVERLESS",
            "opensearchServerlessConfiguration": {"collectionArn": COLLECTION_ARN},
        },
    }
    return bedrock_knowledge_base.to_record(ACCOUNT, REGION, detail, dict(tags), agents)


def data_source(base: ResourceRecord, ds_id: str = "DS12345678", **fields: Any) -> ResourceRecord:
    detail = {
        "knowledgeBaseId": base.attributes["knowledge_base_id"],
        "dataSourceId": ds_id,
        "name": f"docs-{ds_id.lower()}",
        "status": "AVAILABLE",
        "dataSourceConfiguration": {"type": "S3"},
        **fields,
    }
    return bedrock_data_source.to_record(base, detail)


def test_a_knowledge_base_lives_in_its_collection_and_a_data_source_in_its_knowledge_base() -> None:
    base = kb(owner="ana")
    source = data_source(base)
    assert base.parent_arns == (COLLECTION_ARN,)
    assert source.parent_arns == (base.arn,)
    assert source.arn == f"{base.arn}/data-source/DS12345678"
    assert bedrock_data_source.knowledge_base_arn(source.arn) == base.arn
    assert source.tags == {"owner": "ana"}  # its knowledge base's: it has none of its own
    for kind in (bedrock_knowledge_base.KIND, bedrock_data_source.KIND):
        assert BY_KIND[kind].billed_through is not None
        assert "cannot be restored" in BY_KIND[kind].restore.why_not


def finding_on(rec: ResourceRecord) -> Finding:
    return Finding(
        id="f1",
        policy="idle-vector-collections",
        resource=rec,
        action="delete",
        reason="idle",
        evidence=Evidence(state="idle"),
        monthly_cost_usd=350.4,
        cost_basis="price-list",
        confidence="high",
    )


def test_deleting_a_collection_deletes_its_data_sources_then_knowledge_bases_first() -> None:
    first, second = kb("KBAAAAAAAA"), kb("KBBBBBBBBB")
    resources = linked(collection(), first, second, data_source(first), data_source(second, "DSB"))
    target = next(r for r in resources if r.kind == "opensearch-serverless-collection")
    [planned] = plan([finding_on(target)], resources, NOW)
    ops = [(s.op, s.target_name) for s in planned.steps]
    assert [op for op, _ in ops] == [
        "bedrock:DeleteDataSource",
        "bedrock:DeleteKnowledgeBase",
        "bedrock:DeleteDataSource",
        "bedrock:DeleteKnowledgeBase",
        "aoss:DeleteCollection",
    ]
    by_id = {s.id: s for s in planned.steps}
    last = planned.steps[-1]
    assert {by_id[d].op for d in last.depends_on} == {"bedrock:DeleteKnowledgeBase"}
    assert all(s.blocked is None for s in planned.steps)
    assert any("data access policies" in r.what for r in planned.retained)
    # The collection is deleted too: it is not reported as what the knowledge bases keep.
    assert not any("vector store" in r.what for r in planned.retained)
    # Said before approval: none of the chain comes back with `ai-watchdog restore`.
    assert [i.what.split()[0] for i in planned.irreversible] == [
        s.target_kind for s in planned.steps
    ]
    assert "a deleted collection cannot be restored" in planned.irreversible[-1].why


def test_a_knowledge_base_an_agent_uses_blocks_the_whole_teardown_saying_which_agent() -> None:
    used = kb(agents=("hr-assistant",))
    resources = linked(collection(), used, data_source(used))
    target = next(r for r in resources if r.kind == "opensearch-serverless-collection")
    [planned] = plan([finding_on(target)], resources, NOW)
    blocked = [s for s in planned.steps if s.blocked]
    assert {s.op for s in blocked} == {"bedrock:DeleteDataSource", "bedrock:DeleteKnowledgeBase"}
    assert all("hr-assistant" in (s.blocked or "") for s in blocked)


def test_an_exempt_knowledge_base_keeps_its_collection_in_place() -> None:
    exempt = kb(**{"watchdog:exempt": "true"})
    resources = linked(collection(), exempt, data_source(exempt))
    target = next(r for r in resources if r.kind == "opensearch-serverless-collection")
    [planned] = plan([finding_on(target)], resources, NOW)
    assert planned.steps == () and planned.blocked is not None
    assert "exempt" in planned.blocked


def test_deleting_a_knowledge_base_alone_says_its_collection_keeps_billing() -> None:
    base = kb()
    resources = linked(collection(), base, data_source(base, dataDeletionPolicy="RETAIN"))
    target = next(r for r in resources if r.kind == "bedrock-knowledge-base")
    [planned] = plan([finding_on(target)], resources, NOW)
    assert [s.op for s in planned.steps] == [
        "bedrock:DeleteDataSource",
        "bedrock:DeleteKnowledgeBase",
    ]
    kept = " ".join(r.what + " " + r.reason for r in planned.retained)
    assert "does not delete its vector store" in kept
    assert "dataDeletionPolicy is RETAIN" in kept


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert bedrock_knowledge_base.SPEC.teardown.in_progress == frozenset({"DELETING"})


def test_a_data_sources_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert bedrock_data_source.SPEC.teardown.in_progress == frozenset({"DELETING"})

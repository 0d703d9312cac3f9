"""The knowledge-base chain on the in-process sandbox: the demo's three collections (seeded through
the kinds' seed hook) and an exempt one are scanned, priced and planned; only the idle prototype's
chain is deleted, data source first and collection last; the busy collection, the one whose
knowledge base an agent uses and the exempt one stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
from hypothesis import strategies as st
from watchdog_sandbox.kinds import DemoTags
from watchdog_sandbox.kinds.knowledge_bases import (
    CollectionSeed,
    KnowledgeBaseSeed,
    knowledge_base_chains,
)
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from tests.fakes import FakeClock
from tests.functional.generated_accounts import AUTOMATIC, EXEMPTIONS, AccountPart, Drawn
from watchdog.act import ExecOptions, apply
from watchdog.inventory import ScanRequest, scan
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
COLLECTION = "opensearch-serverless-collection"
EXEMPT = CollectionSeed(
    "legal-archive-vectors",
    {"team": "legal", "watchdog:exempt": "true"},
    knowledge_bases=(KnowledgeBaseSeed("legal-archive-kb", ("contracts",)),),
)


class TickingClock(FakeClock):
    """Each reading a millisecond after the last, so the audit's times give the order of calls."""

    def now(self) -> datetime:
        self.sleep(0.001)
        return super().now()


def collections() -> set[str]:
    client = boto3.client("opensearchserverless", region_name=REGION)
    return {c["name"] for c in client.list_collections()["collectionSummaries"]}


def knowledge_bases() -> set[str]:
    client = boto3.client("bedrock-agent", region_name=REGION)
    return {k["name"] for k in client.list_knowledge_bases()["knowledgeBaseSummaries"]}


def seed(now: datetime) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    owners = DemoTags(genai={"team": "genai"}, nlp={"team": "nlp"}, risk={}, recsys={}, exempt={})
    plan = RegionPlan(kinds=(*knowledge_base_chains(owners), EXEMPT))
    seeded, _ = seed_region(clients, ACCOUNT, REGION, plan, now)
    idle = {r.name for r in seeded if r.kind == COLLECTION and r.idle}
    assert idle == {"rag-prototype-vectors", "hr-policies-vectors", "legal-archive-vectors"}


def test_the_scan_links_each_data_source_to_its_knowledge_base_and_that_to_its_collection(
    aws: None,
) -> None:
    seed(datetime.now(UTC))
    result = scan(ScanRequest(regions=[REGION]))
    by_name = {r.name: r for r in result.resources}
    assert result.errors == []
    rag, kb, docs = (
        by_name[n] for n in ("rag-prototype-vectors", "rag-prototype-kb", "product-docs")
    )
    assert kb.parent_arns == (rag.arn,) and rag.child_arns == (kb.arn,)
    assert docs.parent_arns == (kb.arn,) and docs.tags == kb.tags == {"team": "genai"}
    assert by_name["hr-policies-kb"].attributes["agents"] == "hr-assistant"
    assert "agents" not in kb.attributes
    assert rag.attributes["standby_replicas"] == "ENABLED"


def test_only_the_idle_prototype_chain_is_deleted_data_sources_first_collection_last(
    aws: None, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    seed(now)
    policy = Policy.model_validate(
        {
            "name": "idle-vectors",
            "resource": [COLLECTION],
            "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
            "action": "delete",
            "approval": {"mode": "automatic", "grace": "0h"},
        }
    )
    store = SqliteStore(tmp_path / "watchdog.db")

    result = apply(
        ScanRequest(regions=[REGION]),
        [policy],
        store,
        ExecOptions(execute=True),
        clock=TickingClock(now),
        signal_options=SignalOptions(
            lookback=timedelta(days=7), cache_dir=tmp_path, cost_explorer=False
        ),
    )

    by_name = {o.resource_name: o for o in result.findings}
    # The busy collection is active and the exempt one has no finding.
    assert set(by_name) == {"rag-prototype-vectors", "hr-policies-vectors"}
    rag = by_name["rag-prototype-vectors"]
    assert rag.fate == "done", rag.reason
    assert [s.op for s in rag.steps] == [
        "bedrock:DeleteDataSource",
        "bedrock:DeleteKnowledgeBase",
        "aoss:DeleteCollection",
    ]
    hr = by_name["hr-policies-vectors"]
    assert hr.fate != "done" and "hr-assistant" in (hr.reason or "")
    done = [e.op for e in sorted(store.list_audit(), key=lambda e: e.at) if e.outcome == "done"]
    assert done == [s.op for s in rag.steps]  # no collection deleted while its KB remained
    assert collections() == {
        "support-search-vectors",
        "hr-policies-vectors",
        "legal-archive-vectors",
    }
    assert knowledge_bases() == {"support-answers-kb", "hr-policies-kb", "legal-archive-kb"}
    store.close()


@st.composite
def generated_collection(draw: st.DrawFn, i: int) -> Drawn:
    """A collection and its knowledge base for the generated accounts
    (tests/functional/test_generated_accounts.py)."""
    busy = draw(st.booleans())
    exempt = draw(st.sampled_from(EXEMPTIONS))
    agent = draw(st.booleans())  # an agent uses its knowledge base: busy, never deletable
    age_days = draw(st.sampled_from([3, 21]))
    name = f"vectors-{i}"
    chain = (KnowledgeBaseSeed(f"kb-{i}", ("docs",), agent=f"agent{i}" if agent else None),)
    seed = CollectionSeed(
        name,
        {"team": "genai", **exempt},
        use="busy" if busy else "idle",
        age=timedelta(days=age_days),
        knowledge_bases=chain,
    )
    protected = busy or agent or bool(exempt)
    return Drawn(seed, COLLECTION, name, protected, not protected and age_days > 7)


def collections_not_deleting() -> set[str]:
    aoss = boto3.client("opensearchserverless", region_name=REGION)
    return {
        c["name"]
        for c in aoss.list_collections()["collectionSummaries"]
        if c["status"] != "DELETING"
    }


def _collection(name: str, agent: str | None = None, busy: bool = False) -> Drawn:
    chain = (KnowledgeBaseSeed(f"{name}-kb", ("docs",), agent=agent),)
    seed = CollectionSeed(
        name, {"team": "genai"}, use="busy" if busy else "idle", knowledge_bases=chain
    )
    protected = busy or agent is not None
    return Drawn(seed, COLLECTION, name, protected, not protected)


GENERATED = AccountPart(
    kind=COLLECTION,
    draw=generated_collection,
    most=2,
    policy={
        "name": "delete-idle-collections",
        "resource": [COLLECTION],
        "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
        "action": "delete",
        "approval": AUTOMATIC,
    },
    alive=collections_not_deleting,
    every_protection=(
        _collection("agent-vectors", agent="assistant"),
        _collection("searched-vectors", busy=True),
        _collection("forgotten-vectors"),
    ),
)

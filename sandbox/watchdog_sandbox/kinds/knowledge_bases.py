"""Demo knowledge-base chains (collection -> knowledge bases -> data sources) for the
opensearch-serverless-collection, bedrock-knowledge-base and bedrock-data-source kinds, through
the seed hook (seed_kinds), and moto's collections made to accept AWS-owned-key encryption.

moto's opensearchserverless has collections, BatchGetCollection and security policies, but a
collection's encryption policy must name `KmsARN`: AWS also accepts `"AWSOwnedKey": true`
(OpenSearch Service developer guide, serverless-encryption), for which BatchGetCollection reports
kmsKeyArn "auto" - `install()` lets moto take that. A seeded collection's and knowledge base's
creation times are set on moto's in-process objects (as backdate.py does for the other kinds).

Metrics are written as AWS/AOSS publishes them (monitoring-cloudwatch): ActiveCollection (1)
every hour a collection exists, and SearchRequestRate only while something searches it, each by
ClientId, CollectionId, CollectionName. Knowledge bases and data sources publish nothing here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from moto.bedrockagent.models import bedrockagent_backends
from moto.opensearchserverless import models as aoss_models
from moto.opensearchserverless.models import opensearchserverless_backends

from watchdog_sandbox import bedrock_knowledge_bases
from watchdog_sandbox.bedrock_knowledge_bases import extras
from watchdog_sandbox.kinds import DemoTags, SandboxKind
from watchdog_sandbox.pricing import document, product_sku
from watchdog_sandbox.seed_kinds import KindSeed, SeedContext
from watchdog_sandbox.seed_metrics import hourly
from watchdog_sandbox.seed_summary import SeededResource

COLLECTION = "opensearch-serverless-collection"
KNOWLEDGE_BASE = "bedrock-knowledge-base"
DATA_SOURCE = "bedrock-data-source"
EMBEDDINGS = "arn:aws:bedrock:{region}::foundation-model/amazon.titan-embed-text-v2:0"
AGENT_MODEL = "anthropic.claude-3-haiku-20240307-v1:0"
_PATCHED = "_watchdog_aws_owned_key"
Use = Literal["idle", "busy"]


def install() -> None:
    """Agents for Bedrock's knowledge bases, data sources and agents as AWS has them
    (bedrock_knowledge_bases), and collections that accept the AWS-owned key."""
    bedrock_knowledge_bases.install()
    _aws_owned_key()


def _aws_owned_key() -> None:
    """moto's collections accept an encryption policy with the AWS-owned key."""
    original: Callable[..., None] = aoss_models.Collection.__init__
    if getattr(original, _PATCHED, False):
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        policy = kwargs.get("policy")
        if isinstance(policy, dict) and "KmsARN" not in policy and policy.get("AWSOwnedKey"):
            kwargs["policy"] = {**policy, "KmsARN": "auto"}
        original(self, *args, **kwargs)

    setattr(__init__, _PATCHED, True)
    aoss_models.Collection.__init__ = __init__  # type: ignore[method-assign]


@dataclass(frozen=True)
class KnowledgeBaseSeed:
    name: str
    data_sources: tuple[str, ...] = ()
    agent: str | None = None  # an agent whose DRAFT version uses it


@dataclass(frozen=True)
class CollectionSeed:
    """One vector collection with the knowledge bases on it; `busy`: something searches it."""

    name: str
    tags: Mapping[str, str]
    use: Use = "idle"
    age: timedelta = timedelta(days=21)
    knowledge_bases: tuple[KnowledgeBaseSeed, ...] = ()
    redundant: bool = True

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        aoss = ctx.clients.opensearch_serverless(ctx.region)
        rules = [{"ResourceType": "collection", "Resource": [f"collection/{self.name}"]}]
        aoss.create_security_policy(
            name=f"{self.name}-enc",
            type="encryption",
            policy=json.dumps({"Rules": rules, "AWSOwnedKey": True}),
        )
        created = ctx.now - self.age
        detail = aoss.create_collection(
            name=self.name,
            type="VECTORSEARCH",
            standbyReplicas="ENABLED" if self.redundant else "DISABLED",
            tags=[{"key": k, "value": v} for k, v in self.tags.items()],
        )["createCollectionDetail"]
        collection = opensearchserverless_backends[ctx.account_id][ctx.region].collections
        collection[detail["id"]].created_date = int(created.timestamp() * 1000)
        self._metrics(ctx, detail["id"], created)
        made = [
            ctx.seeded(COLLECTION, self.name, self.tags, created, idle=self.use == "idle"),
        ]
        for kb in self.knowledge_bases:
            idle = self.use == "idle" and kb.agent is None
            made += _seed_knowledge_base(ctx, kb, detail["arn"], self.tags, created, idle)
        return made

    def _metrics(self, ctx: SeedContext, collection_id: str, since: datetime) -> None:
        dims = [("ClientId", ctx.account_id), ("CollectionId", collection_id)]
        dims.append(("CollectionName", self.name))
        stamps = hourly(ctx.now, ctx.writer.hours, since)
        ctx.writer.series("AWS/AOSS", "ActiveCollection", dims, ((t, 1.0) for t in stamps), "None")
        if self.use == "busy":
            searches = ((t, 180.0 + t.hour % 6 * 30) for t in stamps)
            ctx.writer.series("AWS/AOSS", "SearchRequestRate", dims, searches, "Count")


def _seed_knowledge_base(
    ctx: SeedContext,
    kb: KnowledgeBaseSeed,
    collection_arn: str,
    tags: Mapping[str, str],
    created: datetime,
    idle: bool,
) -> list[SeededResource]:
    agent_api = ctx.clients.bedrock_agent(ctx.region)
    request = _knowledge_base_request(ctx, kb.name, collection_arn, tags)
    answer = agent_api.create_knowledge_base(**request)
    kb_id = answer["knowledgeBase"]["knowledgeBaseId"]
    backend = bedrockagent_backends[ctx.account_id][ctx.region]
    backend.knowledge_bases[kb_id].created_at = created.timestamp()
    made = [ctx.seeded(KNOWLEDGE_BASE, kb.name, tags, created, idle=idle)]
    for source in kb.data_sources:
        ds = agent_api.create_data_source(
            knowledgeBaseId=kb_id,
            name=source,
            dataSourceConfiguration={
                "type": "S3",
                "s3Configuration": {"bucketArn": f"arn:aws:s3:::{source}-{ctx.account_id}"},
            },
        )["dataSource"]
        extras(backend).data_sources[kb_id][ds["dataSourceId"]].created_at = created
        made.append(ctx.seeded(DATA_SOURCE, source, tags, created, idle=idle))
    if kb.agent is not None:
        agent = agent_api.create_agent(
            agentName=kb.agent,
            foundationModel=AGENT_MODEL,
            agentResourceRoleArn=f"arn:aws:iam::{ctx.account_id}:role/BedrockAgentRole",
        )["agent"]
        agent_api.associate_agent_knowledge_base(
            agentId=agent["agentId"],
            agentVersion="DRAFT",
            knowledgeBaseId=kb_id,
            description=f"{kb.name} for {kb.agent}",
        )
    return made


def _knowledge_base_request(
    ctx: SeedContext, name: str, collection_arn: str, tags: Mapping[str, str]
) -> dict[str, Any]:
    """CreateKnowledgeBase's request for a vector knowledge base on `collection_arn`, with the
    index and field names the Bedrock console uses for a quick-created collection."""
    return {
        "name": name,
        "roleArn": f"arn:aws:iam::{ctx.account_id}:role/BedrockKnowledgeBaseRole",
        "knowledgeBaseConfiguration": {
            "type": "VECTOR",
            "vectorKnowledgeBaseConfiguration": {
                "embeddingModelArn": EMBEDDINGS.format(region=ctx.region)
            },
        },
        "storageConfiguration": {
            "type": "OPENSEARCH_SERVERLESS",
            "opensearchServerlessConfiguration": {
                "collectionArn": collection_arn,
                "vectorIndexName": "bedrock-knowledge-base-default-index",
                "fieldMapping": {
                    "vectorField": "bedrock-knowledge-base-default-vector",
                    "textField": "AMAZON_BEDROCK_TEXT",
                    "metadataField": "AMAZON_BEDROCK_METADATA",
                },
            },
        },
        "tags": dict(tags),
    }


def knowledge_base_chains(tags: DemoTags) -> tuple[KindSeed, ...]:
    """The demo's: a forgotten RAG prototype (an idle collection, its knowledge base and data
    source: the chain deleted once approved), a collection search traffic keeps busy, and an
    idle collection whose knowledge base an agent uses (never deleted)."""
    return (
        CollectionSeed(
            "rag-prototype-vectors",
            tags.genai,
            knowledge_bases=(KnowledgeBaseSeed("rag-prototype-kb", ("product-docs",)),),
        ),
        CollectionSeed(
            "support-search-vectors",
            tags.nlp,
            use="busy",
            age=timedelta(days=60),
            knowledge_bases=(KnowledgeBaseSeed("support-answers-kb", ("support-tickets",)),),
        ),
        CollectionSeed(
            "hr-policies-vectors",
            tags.genai,
            age=timedelta(days=40),
            knowledge_bases=(
                KnowledgeBaseSeed("hr-policies-kb", ("hr-handbook",), agent="hr-assistant"),
            ),
        ),
    )


def bench_collection(i: int) -> KindSeed:
    """The i-th of many for bench/scan.py: an idle collection with nothing on it."""
    return CollectionSeed(f"bench-vectors-{i:04d}", {})


def bench_knowledge_base(i: int) -> KindSeed:
    """The i-th of many for bench/scan.py: a collection with one knowledge base and one data
    source (its calls counted with the knowledge base's)."""
    chain = (KnowledgeBaseSeed(f"bench-kb-{i:04d}", ("docs",)),)
    return CollectionSeed(f"bench-kb-vectors-{i:04d}", {}, knowledge_bases=chain)


# Served under service code AmazonES: OpenSearch Serverless OCU-hours (usagetype
# <prefix>-IndexingOCU, <prefix>-SearchOCU). 0.24 in us-east-1 is the shipped fallback figure;
# the others are made up. The unit "OCU-hours" is the one botocore's savingsplans model lists
# for AmazonES usage (SavingsPlanRateUnit; see watchdog.kinds.opensearch_serverless_collection);
# the product family is assumed: no recorded AmazonES OCU product was found.
OCU_UNIT = "OCU-hours"
CATALOG: dict[str, Any] = {
    "serviceCode": "AmazonES",
    "serviceName": "Amazon OpenSearch Service",
    "prices": {
        "IndexingOCU": {"us-east-1": "0.24", "us-west-2": "0.24", "eu-west-1": "0.26"},
        "SearchOCU": {"us-east-1": "0.24", "us-west-2": "0.24", "eu-west-1": "0.26"},
    },
}


def ocu_products(header: Mapping[str, Any]) -> list[dict[str, Any]]:
    """AmazonES OCU-hours, as watchdog's collection kind asks for them."""
    aoss = {**header, **CATALOG}
    products = []
    for use, prices in CATALOG["prices"].items():
        for region, usd in prices.items():
            prefix = header["regions"][region]["usagePrefix"]
            attributes = {"usagetype": f"{prefix}-{use}", "operation": use}
            sku = product_sku(CATALOG["serviceCode"], use, region)
            price = (usd, OCU_UNIT, f"${usd} per {use} OCU-hour")
            products.append(document(aoss, region, sku, "Serverless", attributes, price))
    return products


def remaining(client: Callable[[str], Any]) -> set[str]:
    """Collections, knowledge bases and their data sources (the demo's few: one page each)."""
    left = set()
    for c in client("opensearchserverless").list_collections()["collectionSummaries"]:
        left.add(f"{COLLECTION} {c['name']} {c['status']}")
    agents = client("bedrock-agent")
    for kb in agents.list_knowledge_bases()["knowledgeBaseSummaries"]:
        left.add(f"{KNOWLEDGE_BASE} {kb['name']} {kb['status']}")
        sources = agents.list_data_sources(knowledgeBaseId=kb["knowledgeBaseId"])
        for ds in sources["dataSourceSummaries"]:
            left.add(f"{DATA_SOURCE} {kb['name']}/{ds['name']} {ds['status']}")
    return left


SANDBOX = SandboxKind(
    install=install,
    products=ocu_products,
    demo=knowledge_base_chains,
    bench={COLLECTION: bench_collection, KNOWLEDGE_BASE: bench_knowledge_base},
    remaining=remaining,
)

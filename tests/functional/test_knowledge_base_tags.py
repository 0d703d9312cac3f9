"""The knowledge-base chain's tags, read and written as the executor and the Exempt button do:
a collection's through OpenSearch Serverless, a knowledge base's through Agents for Bedrock, and
a data source's - which has none of its own - through its knowledge base; a rescan sees them."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
from watchdog_sandbox.kinds.knowledge_bases import CollectionSeed, KnowledgeBaseSeed
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from watchdog.act import SessionClients
from watchdog.act.tags import add_tag, current_tags
from watchdog.inventory import ScanRequest, scan

REGION = "us-east-1"
ACCOUNT = "123456789012"
CHAIN = CollectionSeed(
    "faq-vectors",
    {"team": "support"},
    knowledge_bases=(KnowledgeBaseSeed("faq-kb", ("faq-pages",)),),
)


def test_each_link_of_the_chain_reads_and_writes_tags_in_its_own_dialect(aws: None) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    seed_region(clients, ACCOUNT, REGION, RegionPlan(kinds=(CHAIN,)), datetime.now(UTC))
    records = {r.kind: r for r in scan(ScanRequest(regions=[REGION])).resources}
    collection = records["opensearch-serverless-collection"]
    kb, source = records["bedrock-knowledge-base"], records["bedrock-data-source"]
    act = SessionClients()
    assert {k: current_tags(act, r) for k, r in records.items()} == {
        k: {"team": "support"} for k in records
    }

    add_tag(act, collection, "watchdog:exempt", "true")
    add_tag(act, source, "owner", "ana")  # lands on its knowledge base

    assert current_tags(act, collection)["watchdog:exempt"] == "true"
    assert current_tags(act, kb) == current_tags(act, source) == {"team": "support", "owner": "ana"}
    rescanned = {r.kind: r for r in scan(ScanRequest(regions=[REGION])).resources}
    assert rescanned["opensearch-serverless-collection"].tags["watchdog:exempt"] == "true"
    assert rescanned["bedrock-data-source"].tags["owner"] == "ana"

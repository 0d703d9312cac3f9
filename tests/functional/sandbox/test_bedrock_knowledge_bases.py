"""The sandbox's knowledge bases, data sources, agent associations and collections behave as AWS
documents: AWS's ids and statuses, data sources going with their knowledge base, a dangling agent
association left as AWS leaves it, and ResourceNotFoundException for what is gone."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from watchdog_sandbox import bedrock_knowledge_bases, pricing
from watchdog_sandbox.kinds import knowledge_bases as knowledge_base_seeds

from watchdog.kinds.opensearch_serverless_collection import OCU_PRICES
from watchdog.signals.models import PriceKey
from watchdog.signals.prices import parse_hourly_offers

REGION = "us-east-1"
EMBEDDINGS = f"arn:aws:bedrock:{REGION}::foundation-model/amazon.titan-embed-text-v2:0"
COLLECTION = f"arn:aws:aoss:{REGION}:123456789012:collection/abc"


@pytest.fixture(autouse=True)
def moto() -> Iterator[None]:
    bedrock_knowledge_bases.install()
    knowledge_base_seeds.install()
    with mock_aws():
        yield


def agents() -> Any:
    return boto3.client("bedrock-agent", region_name=REGION)


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def knowledge_base(name: str = "docs-kb") -> str:
    answer = agents().create_knowledge_base(
        name=name,
        roleArn="arn:aws:iam::123456789012:role/kb",
        knowledgeBaseConfiguration={
            "type": "VECTOR",
            "vectorKnowledgeBaseConfiguration": {"embeddingModelArn": EMBEDDINGS},
        },
        storageConfiguration={
            "type": "OPENSEARCH_SERVERLESS",
            "opensearchServerlessConfiguration": {
                "collectionArn": COLLECTION,
                "vectorIndexName": "i",
                "fieldMapping": {"vectorField": "v", "textField": "t", "metadataField": "m"},
            },
        },
    )
    return str(answer["knowledgeBase"]["knowledgeBaseId"])


def data_source(kb_id: str, name: str = "s3-docs") -> str:
    answer = agents().create_data_source(
        knowledgeBaseId=kb_id,
        name=name,
        dataSourceConfiguration={"type": "S3", "s3Configuration": {"bucketArn": "arn:aws:s3:::b"}},
    )
    return str(answer["dataSource"]["dataSourceId"])


def test_knowledge_bases_have_aws_ids_and_statuses_and_their_data_sources_are_listed() -> None:
    kb_id = knowledge_base()
    assert kb_id.isalnum() and len(kb_id) == 10
    assert agents().get_knowledge_base(knowledgeBaseId=kb_id)["knowledgeBase"]["status"] == "ACTIVE"
    ds_id = data_source(kb_id)
    [listed] = agents().list_data_sources(knowledgeBaseId=kb_id)["dataSourceSummaries"]
    assert (listed["dataSourceId"], listed["status"]) == (ds_id, "AVAILABLE")
    got = agents().get_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)["dataSource"]
    assert got["dataDeletionPolicy"] == "DELETE"  # AWS's default
    with pytest.raises(ClientError) as twice:
        data_source(kb_id)
    assert code(twice) == "ConflictException"
    with pytest.raises(ClientError) as orphan:
        data_source("NOSUCHKB00")
    assert code(orphan) == "ResourceNotFoundException"


def test_deleting_a_knowledge_base_takes_its_data_sources_and_leaves_agents_dangling() -> None:
    kb_id = knowledge_base()
    ds_id = data_source(kb_id)
    agent = agents().create_agent(
        agentName="helper",
        foundationModel="anthropic.claude-3-haiku-20240307-v1:0",
        agentResourceRoleArn="arn:aws:iam::123456789012:role/agent",
    )["agent"]["agentId"]
    agents().associate_agent_knowledge_base(
        agentId=agent, agentVersion="DRAFT", knowledgeBaseId=kb_id, description="d"
    )
    [version] = agents().list_agent_versions(agentId=agent)["agentVersionSummaries"]
    assert version["agentVersion"] == "DRAFT"
    used = agents().list_agent_knowledge_bases(agentId=agent, agentVersion="DRAFT")
    assert [k["knowledgeBaseId"] for k in used["agentKnowledgeBaseSummaries"]] == [kb_id]

    answer = agents().delete_knowledge_base(knowledgeBaseId=kb_id)
    assert answer["status"] == "DELETING"
    with pytest.raises(ClientError) as gone:
        agents().get_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    assert code(gone) == "ResourceNotFoundException"
    still = agents().list_agent_knowledge_bases(agentId=agent, agentVersion="DRAFT")
    assert len(still["agentKnowledgeBaseSummaries"]) == 1  # AWS leaves the reference too


def test_a_data_source_is_deleted_once_and_then_not_found() -> None:
    kb_id = knowledge_base()
    ds_id = data_source(kb_id)
    assert agents().delete_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)["status"] == (
        "DELETING"
    )
    with pytest.raises(ClientError) as again:
        agents().delete_data_source(knowledgeBaseId=kb_id, dataSourceId=ds_id)
    assert code(again) == "ResourceNotFoundException"


def test_a_collection_takes_the_aws_owned_key_and_a_missing_one_is_not_found() -> None:
    aoss = boto3.client("opensearchserverless", region_name=REGION)
    rules = [{"ResourceType": "collection", "Resource": ["collection/vectors"]}]
    aoss.create_security_policy(
        name="vectors-enc",
        type="encryption",
        policy=json.dumps({"Rules": rules, "AWSOwnedKey": True}),
    )
    made = aoss.create_collection(name="vectors", type="VECTORSEARCH")["createCollectionDetail"]
    [detail] = aoss.batch_get_collection(ids=[made["id"]])["collectionDetails"]
    assert (detail["kmsKeyArn"], detail["status"]) == ("auto", "ACTIVE")
    aoss.delete_collection(id=made["id"])
    with pytest.raises(ClientError) as gone:
        aoss.delete_collection(id=made["id"])
    assert code(gone) == "ResourceNotFoundException"


def test_opensearch_serverless_ocus_are_found_as_the_collection_kind_asks() -> None:
    pricing.install()
    client = boto3.client("pricing", region_name=REGION)
    key = PriceKey(component=OCU_PRICES.name, region=REGION, unit="SearchOCU")
    filters = OCU_PRICES.filters(key)
    assert filters is not None
    answer = client.get_products(ServiceCode=OCU_PRICES.service_code, Filters=filters)
    [product] = [json.loads(p) for p in answer["PriceList"]]
    assert product["product"]["attributes"]["usagetype"] == "USE1-SearchOCU"
    # Priced per "OCU-hours" (botocore's savingsplans SavingsPlanRateUnit), which the
    # component declares as its hour: a plain hourly reading finds nothing.
    assert parse_hourly_offers(answer["PriceList"]) == []
    [offer] = parse_hourly_offers(answer["PriceList"], hourly_units=OCU_PRICES.hourly_units)
    assert offer.usd_per_hour == 0.24

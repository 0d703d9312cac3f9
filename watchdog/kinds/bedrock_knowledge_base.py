"""bedrock-knowledge-base: a Bedrock knowledge base (retrieval over a vector store).

It bills nothing itself: its vector store does (an OpenSearch Serverless collection keeps its
OCUs with no traffic). Deleting a knowledge base does NOT delete its vector store (Bedrock user
guide, "Delete a knowledge base"): a teardown of the collection deletes the knowledge bases on
it (their data sources first), never the other way round.

Facts from botocore's bedrock-agent model (2023-06-05): `ListKnowledgeBases` gives id, name,
status (CREATING | ACTIVE | DELETING | UPDATING | FAILED | DELETE_UNSUCCESSFUL |
UPDATE_UNSUCCESSFUL) and updatedAt; `GetKnowledgeBase` adds its ARN, createdAt and
`storageConfiguration` (type OPENSEARCH_SERVERLESS: `opensearchServerlessConfiguration.
collectionArn` names the collection, its parent here). `DeleteKnowledgeBase` answers 202
(asynchronous: DELETING, then ResourceNotFoundException) and applies its data sources'
dataDeletionPolicy; AWS does not refuse it while agents use it, but says to disassociate it from
them first (DisassociateAgentKnowledgeBase; the console then warns on each agent). Agents are
read with `ListAgents`, `ListAgentVersions` (DRAFT included) and
`ListAgentKnowledgeBases(agentId, agentVersion)`: a knowledge base any version of an agent
uses is in use, and the watchdog never deletes it (its steps are blocked with the agents'
names: detaching it is the agent owner's decision).
Tags: Agents for Bedrock's ListTagsForResource / TagResource (`resourceArn`, a map).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from watchdog.kinds import bedrock_data_source
from watchdog.kinds._calls import BEDROCK_PAGE_SIZE, description_or_gone
from watchdog.kinds._tags import SERVICE_DIALECTS
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    BilledThrough,
    Kept,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    Teardown,
)
from watchdog.records import Kind, ResourceRecord

KIND: Kind = "bedrock-knowledge-base"
# Its vector store's kind (collected before it; that module names this one as its dependant).
COLLECTION: Kind = "opensearch-serverless-collection"
SERVICE = "bedrock-agent"
AGENT_PAGE = 100  # ListAgents, ListAgentVersions, ListAgentKnowledgeBases maxResults: 1-100
BILLED_THROUGH = BilledThrough(
    reason="its vector store (an OpenSearch Serverless collection) carries the cost",
    cell="with its collection",
)


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    client = ctx.client(SERVICE)
    agents = agents_by_kb(ctx)
    names = {r.arn.lower(): r.name for r in ctx.records(COLLECTION)}
    records = []
    pages = ctx.paginate(SERVICE, "ListKnowledgeBases", maxResults=BEDROCK_PAGE_SIZE)
    for summary in (s for page in pages for s in page.get("knowledgeBaseSummaries", [])):
        kb_id = summary["knowledgeBaseId"]
        answer = description_or_gone(partial(client.get_knowledge_base, knowledgeBaseId=kb_id))
        if answer is None:
            continue  # deleted between the list and the get (a teardown running)
        detail = answer["knowledgeBase"]
        tags = SERVICE_DIALECTS[SERVICE].read(client, detail["knowledgeBaseArn"])
        record = to_record(ctx.account, ctx.region, detail, tags, agents.get(kb_id, ()))
        name = names.get(record.attributes.get("collection_arn", "").lower())
        if name:  # for people: the collection's name, where its ARN has only an id
            attributes = {**record.attributes, "collection_name": name}
            record = record.model_copy(update={"attributes": attributes})
        records.append(record)
    return records


def agents_by_kb(ctx: ScanContext) -> dict[str, tuple[str, ...]]:
    """Knowledge base id -> the names of the agents any version of which uses it."""
    found: dict[str, set[str]] = {}
    pages = ctx.paginate(SERVICE, "ListAgents", maxResults=AGENT_PAGE)
    for agent in (a for page in pages for a in page.get("agentSummaries", [])):
        agent_id = agent["agentId"]
        versions = ctx.paginate(SERVICE, "ListAgentVersions", agentId=agent_id)
        for version in (v for page in versions for v in page.get("agentVersionSummaries", [])):
            associations = ctx.paginate(
                SERVICE,
                "ListAgentKnowledgeBases",
                agentId=agent_id,
                agentVersion=version["agentVersion"],
                maxResults=AGENT_PAGE,
            )
            for page in associations:
                for kb in page.get("agentKnowledgeBaseSummaries", []):
                    found.setdefault(kb["knowledgeBaseId"], set()).add(agent["agentName"])
    return {kb_id: tuple(sorted(names)) for kb_id, names in found.items()}


def collection_arn(detail: dict[str, Any]) -> str | None:
    storage = detail.get("storageConfiguration", {})
    arn = storage.get("opensearchServerlessConfiguration", {}).get("collectionArn")
    return str(arn) if arn else None


def to_record(
    account: str,
    region: str,
    detail: dict[str, Any],
    tags: dict[str, str],
    agents: tuple[str, ...],
) -> ResourceRecord:
    collection = collection_arn(detail)
    attributes = {
        "knowledge_base_id": detail["knowledgeBaseId"],
        "storage_type": str(detail.get("storageConfiguration", {}).get("type", "")),
        "collection_arn": collection or "",
        "agents": ",".join(agents),
    }
    return ResourceRecord(
        kind=KIND,
        arn=detail["knowledgeBaseArn"],
        name=detail["name"],
        account=account,
        region=region,
        status=detail.get("status"),
        created_at=detail.get("createdAt"),
        last_modified_at=detail.get("updatedAt"),
        tags=tags,
        # It lives in its collection: deleting the collection deletes it first.
        parent_arns=(collection,) if collection else (),
        attributes={k: v for k, v in attributes.items() if v},
    )


def used_by_agents(record: ResourceRecord) -> str | None:
    """Why the watchdog never deletes it (or its data sources): agents use it."""
    agents = record.attributes.get("agents")
    if not agents:
        return None
    return (
        f"Bedrock agent(s) {agents.replace(',', ', ')} use it: it is busy. AWS would delete it "
        "and leave the agents a reference to a knowledge base that no longer exists (Bedrock "
        "user guide, 'Delete a knowledge base'): detaching it is the agents' owners' decision"
    )


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    collection = record.attributes.get("collection_arn")
    if not collection:
        return ()
    name = record.attributes.get("collection_name") or collection.rsplit("/", 1)[-1]
    return (
        Kept(
            what=f"its vector store, collection {name}",
            reason="deleting a knowledge base does not delete its vector store (Bedrock user "
            "guide, 'Delete a knowledge base'): it keeps billing its OCUs",
            arn=collection,
        ),
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_knowledge_base(knowledgeBaseId=record.attributes["knowledge_base_id"])


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    kb_id = record.attributes["knowledge_base_id"]
    answer = description_or_gone(lambda: client.get_knowledge_base(knowledgeBaseId=kb_id))
    return None if answer is None else dict(answer["knowledgeBase"])


SPEC = KindSpec(
    kind=KIND,
    about=(
        "Bedrock knowledge bases, each on its collection. Deleting one alone would leave its "
        "collection billing, which the plan says; one any version of a Bedrock agent uses is "
        "never deleted (its steps are blocked with the agents' names)."
    ),
    service=SERVICE,
    # botocore's endpoint data has no region list for bedrock-agent: Agents for Bedrock runs
    # in Bedrock's regions (a region without it answers with an error the scan records).
    regions_of="bedrock",
    tag_type="bedrock:knowledge-base",
    # Its tags are read by collect with its service's own ListTagsForResource: that AWS's
    # tagging API knows this type is not verified (KindSpec.in_tagging_api says why it matters).
    in_tagging_api=False,
    depends_on=(bedrock_data_source.KIND,),
    collect_after=(COLLECTION,),  # collect reads their records
    collect=collect,
    billed_through=BILLED_THROUGH,
    teardown=Teardown(
        delete=Operation(
            "bedrock:DeleteKnowledgeBase",
            frozenset({"ACTIVE", "FAILED", "DELETE_UNSUCCESSFUL", "UPDATE_UNSUCCESSFUL"}),
            "a knowledge base cannot be deleted while it is being created, updated or deleted",
            invoke=delete,
        ),
        status_field="status",
        in_progress=frozenset({"DELETING"}),
        describe=describe,
        keeps=keeps,
        refuses=used_by_agents,
    ),
    restore=Restore(
        why_not="a deleted knowledge base cannot be restored: a new one must be created and "
        f"its data sources synced again; its description is in {AUDIT_COMMAND}"
    ),
    iam=KindPermissions(
        scan=(
            "bedrock:ListKnowledgeBases",
            "bedrock:GetKnowledgeBase",
            "bedrock:ListAgents",
            "bedrock:ListAgentVersions",
            "bedrock:ListAgentKnowledgeBases",
            # Its tags are read per knowledge base during the scan (not the tagging API).
            "bedrock:ListTagsForResource",
        ),
        describe="bedrock:GetKnowledgeBase",
    ),
)

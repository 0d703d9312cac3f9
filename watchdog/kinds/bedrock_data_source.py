"""bedrock-data-source: a data source of a Bedrock knowledge base (an S3 bucket, a web crawler...)
whose documents are ingested into the knowledge base's vector store.

It bills nothing itself (its knowledge base's vector store does) and goes first in a teardown of
its knowledge base. Facts from botocore's bedrock-agent model (2023-06-05): `ListDataSources
(knowledgeBaseId)` gives id, name, status (AVAILABLE | DELETING | DELETE_UNSUCCESSFUL | CREATING |
UPDATING | FAILED) and updatedAt; `GetDataSource(knowledgeBaseId, dataSourceId)` adds createdAt
and `dataDeletionPolicy` (RETAIN | DELETE: whether its vectors are deleted with it);
`DeleteDataSource` answers 202 (asynchronous: DELETING, then ResourceNotFoundException).

A data source has no ARN and no tags of its own (TagResource takes knowledge bases, agents and
their aliases): its record's ARN is its knowledge base's with `/data-source/<id>` appended, and
its tags, exemption included, are its knowledge base's (read and written there).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from watchdog.kinds._calls import BEDROCK_PAGE_SIZE, description_or_gone
from watchdog.kinds._tags import SERVICE_DIALECTS, TagDialect
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

KIND: Kind = "bedrock-data-source"
KNOWLEDGE_BASE: Kind = "bedrock-knowledge-base"
SERVICE = "bedrock-agent"
_SEPARATOR = "/data-source/"


def knowledge_base_arn(arn: str) -> str:
    """Its knowledge base's ARN, from its record's (see the docstring)."""
    return arn.split(_SEPARATOR, 1)[0]


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    client = ctx.client(SERVICE)
    records = []
    for kb in ctx.records(KNOWLEDGE_BASE):
        kb_id = kb.attributes["knowledge_base_id"]
        pages = ctx.paginate(
            SERVICE, "ListDataSources", knowledgeBaseId=kb_id, maxResults=BEDROCK_PAGE_SIZE
        )
        for summary in (s for page in pages for s in page.get("dataSourceSummaries", [])):
            ds_id = summary["dataSourceId"]
            answer = description_or_gone(
                partial(client.get_data_source, knowledgeBaseId=kb_id, dataSourceId=ds_id)
            )
            if answer is not None:  # else deleted since the list (a teardown running)
                records.append(to_record(kb, answer["dataSource"]))
    return records


def to_record(kb: ResourceRecord, detail: dict[str, Any]) -> ResourceRecord:
    attributes = {
        "knowledge_base_id": detail["knowledgeBaseId"],
        "data_source_id": detail["dataSourceId"],
        "data_deletion_policy": str(detail.get("dataDeletionPolicy", "")),
        "source_type": str(detail.get("dataSourceConfiguration", {}).get("type", "")),
        # Agents using its knowledge base: deleting its documents would change their answers.
        "agents": kb.attributes.get("agents", ""),
    }
    return ResourceRecord(
        kind=KIND,
        arn=f"{kb.arn}{_SEPARATOR}{detail['dataSourceId']}",
        name=detail["name"],
        account=kb.account,
        region=kb.region,
        status=detail.get("status"),
        created_at=detail.get("createdAt"),
        last_modified_at=detail.get("updatedAt"),
        tags=kb.tags,
        parent_arns=(kb.arn,),
        attributes={k: v for k, v in attributes.items() if v},
    )


def refuses(record: ResourceRecord) -> str | None:
    agents = record.attributes.get("agents")
    if not agents:
        return None
    return f"its knowledge base is used by Bedrock agent(s) {agents.replace(',', ', ')}"


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    kept = [
        Kept(
            what=f"the source documents of data source {record.name}",
            reason="deleting a data source removes the connection, never the documents "
            "(an S3 bucket, a site) it reads",
        )
    ]
    if record.attributes.get("data_deletion_policy") == "RETAIN":
        kept.append(
            Kept(
                what=f"vectors ingested from data source {record.name}",
                reason="its dataDeletionPolicy is RETAIN: they stay in the vector store "
                "until the collection is deleted",
            )
        )
    return tuple(kept)


def _ids(record: ResourceRecord) -> dict[str, str]:
    return {
        "knowledgeBaseId": record.attributes["knowledge_base_id"],
        "dataSourceId": record.attributes["data_source_id"],
    }


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_data_source(**_ids(record))


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    answer = description_or_gone(lambda: client.get_data_source(**_ids(record)))
    return None if answer is None else dict(answer["dataSource"])


_KB_TAGS = SERVICE_DIALECTS[SERVICE]
TAGS = TagDialect(
    read=lambda client, arn: _KB_TAGS.read(client, knowledge_base_arn(arn)),
    write=lambda client, arn, key, value: _KB_TAGS.write(
        client, knowledge_base_arn(arn), key, value
    ),
    read_action=_KB_TAGS.read_action,
    write_action=_KB_TAGS.write_action,
)

SPEC = KindSpec(
    kind=KIND,
    about="A knowledge base's data sources (an S3 bucket, a web crawler...), deleted before it.",
    service=SERVICE,
    # botocore's endpoint data has no region list for bedrock-agent: Agents for Bedrock runs
    # in Bedrock's regions (a region without it answers with an error the scan records).
    regions_of="bedrock",
    # Its tags are its knowledge base's.
    tag_type="bedrock:knowledge-base",
    in_tagging_api=False,  # its knowledge base's tags, read by collect
    depends_on=(),
    collect_after=(KNOWLEDGE_BASE,),  # collect reads their records
    collect=collect,
    billed_through=BilledThrough(
        reason="its knowledge base's vector store carries the cost",
        cell="with its collection",
    ),
    teardown=Teardown(
        delete=Operation(
            "bedrock:DeleteDataSource",
            frozenset({"AVAILABLE", "FAILED", "DELETE_UNSUCCESSFUL"}),
            "a data source cannot be deleted while it is being created, updated or deleted",
            invoke=delete,
        ),
        status_field="status",
        in_progress=frozenset({"DELETING"}),
        describe=describe,
        keeps=keeps,
        refuses=refuses,
    ),
    tag_dialect=TAGS,
    restore=Restore(
        why_not="a deleted data source cannot be restored: a new one must be created and "
        f"synced again; its description is in {AUDIT_COMMAND}"
    ),
    iam=KindPermissions(
        scan=("bedrock:ListDataSources", "bedrock:GetDataSource"),
        describe="bedrock:GetDataSource",
    ),
)

"""opensearch-serverless-collection: an Amazon OpenSearch Serverless collection (the vector store
behind a Bedrock knowledge base, or a search / time-series collection).

It bills OpenSearch Compute Units with no traffic at all (OpenSearch Service developer guide,
"Managing capacity limits for Amazon OpenSearch Serverless", serverless-scaling): with redundant
standby replicas (`standbyReplicas` ENABLED, the default) the floor is 1 OCU for indexing and 1
for search (0.5 OCU x 2 each), without them 0.5 + 0.5. Collections encrypted with the same KMS
key share those OCUs, vector search collections only with other vector search collections:
each collection of such a group is priced at its share of the group's floor, and deleting one
saves nothing until the last of its group goes. The cost shows under OpenSearch (the Price List's
service code AmazonES, usage types `<region>-IndexingOCU` / `<region>-SearchOCU`), not Bedrock.

Facts from botocore's opensearchserverless model (2021-11-01): `ListCollections` gives id,
name, status and ARN (no paginator in botocore: `nextToken` by hand); `BatchGetCollection`
(up to 100 ids) adds type, kmsKeyArn, standbyReplicas, deletionProtection and createdDate
(epoch milliseconds); statuses CREATING | UPDATING | DELETING | ACTIVE | FAILED | UPDATE_FAILED;
`DeleteCollection(id)` is asynchronous (DELETING, then gone: ResourceNotFoundException).
Tags: aoss ListTagsForResource / TagResource (`resourceArn`, `[{key, value}]`).

Idle evidence, namespace AWS/AOSS (OpenSearch Service developer guide, "Monitoring OpenSearch
Serverless with Amazon CloudWatch", monitoring-cloudwatch; CloudWatch user guide's supported
metrics table): `SearchRequestRate` and `IngestionRequestSuccess` (Sum), dimensions ClientId
(the account), CollectionId, CollectionName; `ActiveCollection` (Max, same dimensions) "is emitted
upon successful creation of a collection and remains 1 until you delete the collection": its
presence is the proof that metrics flow, so no search requests can be told from no data.

Its encryption, network and data access policies cost nothing: a teardown leaves them (reported).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from watchdog.kinds._calls import description_or_gone
from watchdog.kinds._park import NotParkable
from watchdog.kinds._prices import FACTS_SNAPSHOT, in_region
from watchdog.kinds._tags import SERVICE_DIALECTS
from watchdog.kinds.base import (
    AUDIT_COMMAND,
    Kept,
    KindPermissions,
    KindSpec,
    Operation,
    Restore,
    ScanContext,
    SharedBill,
    Teardown,
)
from watchdog.records import NO_BILLING, ON_DEMAND, Kind, ResourceRecord
from watchdog.signals.models import (
    FallbackPrice,
    MetricQuery,
    PriceComponentSpec,
    PriceFilters,
    PriceKey,
    PriceUnits,
)

KIND: Kind = "opensearch-serverless-collection"
SERVICE = "opensearchserverless"
NAMESPACE = "AWS/AOSS"
BATCH = 100  # BatchGetCollection takes at most 100 ids
LIST_PAGE = 100  # ListCollections maxResults: 1-100 (botocore opensearchserverless model)
# States in which the collection holds OCUs (it is being created, serves or is being changed).
BILLING_STATES = frozenset({"CREATING", "ACTIVE", "UPDATING", "UPDATE_FAILED"})
# The OCU floor per use (indexing, search), by standbyReplicas (serverless-scaling).
OCU_FLOOR = {"ENABLED": 1.0, "DISABLED": 0.5}
OCU_USES = ("IndexingOCU", "SearchOCU")


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    client = ctx.client(SERVICE)
    ids = [summary["id"] for summary in _summaries(client)]
    details = [
        detail
        for start in range(0, len(ids), BATCH)
        for detail in client.batch_get_collection(ids=ids[start : start + BATCH]).get(
            "collectionDetails", []
        )
    ]
    groups = _ocu_groups(details)
    tags = SERVICE_DIALECTS[SERVICE].read
    return [
        to_record(ctx.account, ctx.region, d, tags(client, d["arn"]), groups.get(_group(d), 1))
        for d in details
    ]


def _summaries(client: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"maxResults": LIST_PAGE}
    while True:
        page = client.list_collections(**params)
        found += page.get("collectionSummaries", [])
        if not page.get("nextToken"):
            return found
        params["nextToken"] = page["nextToken"]


def _group(detail: dict[str, Any]) -> tuple[str, str]:
    """The OCU-sharing group: its KMS key, vector search apart from search and time series."""
    vector = detail.get("type") == "VECTORSEARCH"
    return ("vector" if vector else "search", str(detail.get("kmsKeyArn", "")))


def _ocu_groups(details: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """How many billing collections share each group's OCUs."""
    groups: dict[tuple[str, str], int] = {}
    for detail in details:
        if detail.get("status") in BILLING_STATES:
            groups[_group(detail)] = groups.get(_group(detail), 0) + 1
    return groups


def shares_bill(record: ResourceRecord) -> SharedBill | None:
    """Its OCU group, when other billing collections share it (see the module's docstring)."""
    members = int(record.attributes.get("ocu_sharing", "1"))
    if members < 2:
        return None
    kind = "vector search" if record.attributes.get("type") == "VECTORSEARCH" else "search"
    key = record.attributes.get("kms_key_arn") or "an AWS owned key"
    group = f"the OCUs of the {members} {kind} collections encrypted with {key}"
    return SharedBill(group=group, members=members)


def to_record(
    account: str, region: str, detail: dict[str, Any], tags: dict[str, str], sharing: int
) -> ResourceRecord:
    status = detail.get("status")
    attributes = {
        "collection_id": detail["id"],
        "type": str(detail.get("type", "")),
        "standby_replicas": str(detail.get("standbyReplicas", "ENABLED")),
        "deletion_protection": str(detail.get("deletionProtection", "")),
        "kms_key_arn": str(detail.get("kmsKeyArn", "")),
        "ocu_sharing": str(sharing),
    }
    return ResourceRecord(
        kind=KIND,
        arn=detail["arn"],
        name=detail["name"],
        account=account,
        region=region,
        status=status,
        created_at=_millis(detail.get("createdDate")),
        last_modified_at=_millis(detail.get("lastModifiedDate")),
        tags=tags,
        billing=ON_DEMAND if status in BILLING_STATES else NO_BILLING,
        attributes={k: v for k, v in attributes.items() if v},
    )


def _millis(value: Any) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value) / 1000, tz=UTC)


def metric_queries(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    """Search and ingestion requests (traffic), and ActiveCollection (load: always emitted
    while it exists), each by ClientId, CollectionId, CollectionName (see the docstring)."""
    dims = (
        ("ClientId", record.account),
        ("CollectionId", record.attributes.get("collection_id", "")),
        ("CollectionName", record.name),
    )
    traffic = (("SearchRequestRate", "search requests"), ("IngestionRequestSuccess", "ingestions"))
    return (
        *(
            MetricQuery(
                resource_arn=record.arn,
                role="traffic",
                namespace=NAMESPACE,
                metric=metric,
                stat="Sum",
                dimensions=dims,
                label=label,
            )
            for metric, label in traffic
        ),
        MetricQuery(
            resource_arn=record.arn,
            role="load",
            namespace=NAMESPACE,
            metric="ActiveCollection",
            stat="Maximum",
            dimensions=dims,
        ),
    )


def price_units(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    """Its share of its OCU group's floor, per use (indexing, search), while it bills."""
    if record.billing.mode == "none":
        return ()
    floor = OCU_FLOOR.get(record.attributes.get("standby_replicas", "ENABLED"), 1.0)
    share = floor / max(1, int(record.attributes.get("ocu_sharing", "1")))
    return tuple(
        PriceUnits(
            key=PriceKey(component=OCU_PRICES.name, region=record.region, unit=use), count=share
        )
        for use in OCU_USES
    )


def _ocu_filters(key: PriceKey) -> PriceFilters:
    # AmazonES products of OpenSearch Serverless carry usage types "USE1-IndexingOCU" and
    # "USE1-SearchOCU" (as Cost Explorer and the offer file name them, "Amazon OpenSearch
    # Service Serverless IndexingOCU"): the region prefix is matched by regionCode.
    return [in_region(key), {"Type": "CONTAINS", "Field": "usagetype", "Value": f"-{key.unit}"}]


def recorded_ocu(use: str) -> FallbackPrice:
    source = (
        "aws-facts.md snapshot: OpenSearch Serverless, about $0.24 per OCU-hour "
        "(aws.amazon.com/opensearch-service/pricing), us-east-1"
    )
    return FallbackPrice("us-east-1", use, 0.24, source, FACTS_SNAPSHOT)


OCU_PRICES = PriceComponentSpec(
    # Per OCU-hour; the key's unit is the OCU use, IndexingOCU or SearchOCU.
    name="opensearch-serverless-ocu",
    words="OpenSearch Serverless {unit}",
    service_code="AmazonES",
    filters=_ocu_filters,
    # The unit its price is given in. AWS documents no AmazonES OCU product, but botocore's
    # savingsplans model (SavingsPlanRateUnit; rates are quoted in the discounted Price List
    # usage's unit) lists "OCU-hours" among its units, with "AmazonES" among its rate service
    # codes and "OpenSearch" among its product types: read as "OCU-hours" (case-insensitive).
    # Whether every Serverless OCU product uses it (rather than "Hrs") is not confirmed by an
    # AWS page or a recorded product, so hourly "Hrs" prices are still read too.
    # "OCU-Hrs" too: the AWS Price List spells other hourly units "<what>-Hrs" (SageMaker's
    # "Hrs", Canvas's "Session-Hrs"), and an OpenSearch direct-query OCU product is shown with
    # "OCU-Hrs" in public test data. Either spelling is an hour; any other is refused.
    hourly_units=frozenset({"ocu-hours", "ocu-hour", "ocu-hrs"}),
    # The figure the project's aws-facts.md records ("about $0.24 per OCU-hour", issue 11) from
    # AWS's OpenSearch Service pricing page; not read from the Price List here. Other regions:
    # no row.
    fallback=tuple(recorded_ocu(use) for use in ("IndexingOCU", "SearchOCU")),
)


def refuses(record: ResourceRecord) -> str | None:
    if record.attributes.get("deletion_protection") == "ENABLED":
        return "its deletion protection is on: AWS refuses DeleteCollection until it is off"
    return None


def keeps(record: ResourceRecord) -> tuple[Kept, ...]:
    return (
        Kept(
            what=f"encryption, network and data access policies of collection {record.name}",
            reason="they cost nothing and may name other collections: left in place",
        ),
    )


def delete(client: Any, record: ResourceRecord) -> None:
    client.delete_collection(id=record.attributes["collection_id"])


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    answer = description_or_gone(
        lambda: client.batch_get_collection(ids=[record.attributes["collection_id"]])
    )
    found = (answer or {}).get("collectionDetails", [])
    return dict(found[0]) if found else None


SPEC = KindSpec(
    kind=KIND,
    about=(
        "OpenSearch Serverless collections (the vector store behind a knowledge base), "
        "billing their OCUs under OpenSearch, not Bedrock, with no traffic at all. Deleted "
        "after the knowledge bases on it; its encryption, network and data access policies "
        "cost nothing and are left in place (reported)."
    ),
    service=SERVICE,
    tag_type="aoss:collection",
    # Its tags are read by collect with its service's own ListTagsForResource: that AWS's
    # tagging API knows this type is not verified (KindSpec.in_tagging_api says why it matters).
    in_tagging_api=False,
    depends_on=("bedrock-knowledge-base",),
    collect=collect,
    metric_queries=metric_queries,
    price_units=price_units,
    shares_bill=shares_bill,
    teardown=Teardown(
        delete=Operation(
            "aoss:DeleteCollection",
            frozenset({"ACTIVE", "FAILED", "UPDATE_FAILED"}),
            "a collection can be deleted once it is ACTIVE or FAILED, not while it is "
            "being created, updated or deleted",
            invoke=delete,
        ),
        status_field="status",
        in_progress=frozenset({"DELETING"}),
        describe=describe,
        keeps=keeps,
        refuses=refuses,
    ),
    restore=Restore(
        why_not="a deleted collection cannot be restored: its indexes (the vectors) are gone "
        "and must be built again from the sources; its description is in "
        f"{AUDIT_COMMAND}"
    ),
    # No stop or pause operation (botocore's opensearchserverless model); only NextGen
    # collections in a collection group scale to zero OCUs on their own (developer guide,
    # "Scale to zero").
    park=NotParkable(
        "OpenSearch Serverless has no pause: a collection bills its OCUs until deleted (NextGen "
        "collection groups with a minimum of 0 OCUs scale to zero by themselves)"
    ),
    price_components=(OCU_PRICES,),
    iam=KindPermissions(
        # Its tags are read per collection during the scan (not through the tagging API).
        scan=("aoss:ListCollections", "aoss:BatchGetCollection", "aoss:ListTagsForResource"),
        describe="aoss:BatchGetCollection",
        # The Service Authorization Reference lists no aws:ResourceTag key for
        # aoss:DeleteCollection's collection resource: IAM cannot hold the exemption, the code
        # does (every path reads its tags through aoss:ListTagsForResource).
        resource_tag_condition=False,
    ),
)

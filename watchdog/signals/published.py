"""Whether a resource's traffic series was ever published, where nothing else can say.

An endpoint's instance metrics prove that CloudWatch would have recorded its traffic; Bedrock
publishes no such metric for a provisioned throughput. CloudWatch's ListMetrics lists only the
series that received data in the last two weeks ("ListMetrics ... metrics that have not had any
new data points in the past two weeks are not returned": CloudWatch API reference), so a series
that is not listed was not written to for 14 days: nobody called the resource, or its calls are
recorded under an id the watchdog does not query. Either way, an idle reading then rests on an
absence alone, and the evidence says so.

One paginated ListMetrics per (account, region, namespace, metric, dimension), filtered by the
dimension's name, whatever the number of resources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import structlog

from watchdog.aws.errors import describe_error
from watchdog.aws.scope import Shard
from watchdog.records import ResourceRecord
from watchdog.signals.models import MetricIdentity

log = structlog.get_logger(__name__)

IdentityFor = Callable[[ResourceRecord], MetricIdentity | None]
Series = tuple[str, str, str, str, str]  # account, region, namespace, metric, dimension


def collect_published(
    shards: Sequence[Shard], records: Sequence[ResourceRecord], identity_for: IdentityFor
) -> tuple[dict[str, bool], int]:
    """By lower-cased ARN: listed or not; and the number of ListMetrics calls made."""
    wanted: dict[Series, list[MetricIdentity]] = defaultdict(list)
    for record in records:
        identity = identity_for(record)
        if identity is not None:
            key = (record.account, record.region, identity.namespace, identity.metric)
            wanted[(*key, identity.dimension)].append(identity)
    by_place = {(shard.account_id, shard.region): shard for shard in shards}
    published: dict[str, bool] = {}
    calls = 0
    for (account, region, namespace, metric, dimension), identities in sorted(wanted.items()):
        shard = by_place.get((account, region))
        if shard is None:
            continue
        listed, made = _listed(shard, namespace, metric, dimension)
        calls += made
        if listed is None:
            continue  # unknown: the evidence says nothing either way
        for identity in identities:
            published[identity.resource_arn.lower()] = identity.value in listed
    return published, calls


def _listed(
    shard: Shard, namespace: str, metric: str, dimension: str
) -> tuple[set[str] | None, int]:
    metrics, calls = list_metrics(
        shard, Namespace=namespace, MetricName=metric, Dimensions=[{"Name": dimension}]
    )
    if metrics is None:
        return None, calls  # not knowing is not proof either way
    values = {
        pair["Value"]
        for listed in metrics
        for pair in listed.get("Dimensions", [])
        if pair["Name"] == dimension
    }
    return values, calls


def list_metrics(shard: Shard, **filters: Any) -> tuple[list[dict[str, Any]] | None, int]:
    """Every metric ListMetrics lists in the shard's place under `filters` (pages followed),
    and the requests made; None if the listing failed (logged)."""
    calls = 0
    found: list[dict[str, Any]] = []
    try:
        client = shard.clients.client("cloudwatch", shard.region)
        for page in client.get_paginator("list_metrics").paginate(**filters):
            calls += 1
            found.extend(page.get("Metrics", []))
    except Exception as error:
        log.warning(
            "list metrics failed",
            account=shard.account_id,
            region=shard.region,
            namespace=filters.get("Namespace"),
            metric=filters.get("MetricName"),
            error=describe_error(error),
        )
        return None, calls
    return found, calls

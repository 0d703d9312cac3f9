"""SageMaker `Search`: complete Endpoint records, sorting and pagination.

moto answers every match in one page and builds Endpoint records from its internal attributes.
AWS (API_Search, API_Endpoint): records carry EndpointName, EndpointArn, EndpointConfigName,
ProductionVariants (CurrentInstanceCount, CurrentServerlessConfig...), ShadowProductionVariants
(when the config has them; see sagemaker_shadow_variants), EndpointStatus,
CreationTime, LastModifiedTime and Tags; results are sorted by SortBy (default LastModifiedTime)
in SortOrder (default Descending) and paged by MaxResults (1-100) and NextToken. The watchdog
relies on this to inventory endpoints 100 per call instead of one DescribeEndpoint each.

moto's filtering (SearchExpression) is kept: its backend search is called first, then the
matches are completed, sorted and paged. MaxResults defaults to 10 here; AWS does not document
its default.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.sagemaker.models import FakeEndpoint

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.sagemaker_endpoint_recreation import observe as observe_recreation
from watchdog_sandbox.sagemaker_shadow_variants import summaries as shadow_summaries


def install() -> None:
    common.add_actions({"search": search})


def endpoint_record(endpoint: FakeEndpoint) -> dict[str, Any]:
    observe_recreation(endpoint)
    record = {
        "EndpointName": endpoint.endpoint_name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.endpoint_config_name,
        "ProductionVariants": endpoint.production_variants,
        "DataCaptureConfig": endpoint.data_capture_config or None,
        "EndpointStatus": endpoint.endpoint_status,
        "FailureReason": endpoint.failure_reason,
        "CreationTime": endpoint.creation_time,
        "LastModifiedTime": endpoint.last_modified_time,
        "Tags": endpoint.tags or [],
        "ShadowProductionVariants": shadow_summaries(endpoint),
    }
    return {key: value for key, value in record.items() if value is not None}


def search(self: Any) -> ActionResult:
    backend = self.sagemaker_backend
    resource = self._get_param("Resource")
    found = backend.search(
        resource=resource, search_expression=self._get_param("SearchExpression")
    )["Results"]
    if resource == "Endpoint":
        found = [
            {"Endpoint": endpoint_record(backend.endpoints[result["Endpoint"]["EndpointName"]])}
            for result in found
        ]
    found = _sorted(found, self._get_param("SortBy"), self._get_param("SortOrder"))
    page, token = common.paginate(
        found, self._get_param("NextToken"), self._get_param("MaxResults")
    )
    return ActionResult({"Results": page, "NextToken": token})


def _sorted(results: list[dict[str, Any]], sort_by: str | None, order: str | None) -> list[Any]:
    """Sort on a top-level property of the records; kept as found when some lack it."""
    key = sort_by or "LastModifiedTime"
    records: list[dict[str, Any]] = [next(iter(result.values()), {}) for result in results]
    values = [record.get(key) for record in records]
    if any(value is None for value in values):
        return results
    reverse = common.sort_order_reverse(order, default="Descending")
    ranked = sorted(zip(values, range(len(results)), results, strict=True), reverse=reverse)
    return [result for _, _, result in ranked]

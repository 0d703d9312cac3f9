"""Bedrock Provisioned Throughput for moto, whose bedrock backend only knows custom models.

`install()` sets CreateProvisionedModelThroughput, Get..., List...s, Update... and Delete... on
`moto.bedrock.responses.BedrockResponse`. moto sends every bedrock path to that class, names the
operation from botocore's service model (`POST /provisioned-model-throughput`,
`GET /provisioned-model-throughputs`, ...) and looks the method up at call time, so one patch serves
`mock_aws` and `moto_server` alike. moto also parses requests and serializes responses from that
model, so field names, types and status codes are the real ones (201 on create, 404 not found).

Tags given at create, and TagResource / UntagResource / ListTagsForResource on a throughput ARN,
use the bedrock backend's own tagger. Resource Groups Tagging API `GetResources` also reports
throughputs and custom models that have tags (`bedrock:provisioned-model`, `bedrock:custom-model`).

`put_provisioned_throughput()` plants one with explicit times and status, for seeded demos. The
records and the rules AWS documents live in `bedrock_provisioned_throughput_backend`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from moto.bedrock.models import BedrockBackend, bedrock_backends
from moto.bedrock.responses import BedrockResponse
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.resource_tagging import TaggedResource, make_tag_matcher, match_resource_type
from moto.core.responses import ActionResult, EmptyResult
from moto.resourcegroupstaggingapi.models import ResourceGroupsTaggingAPIBackend

from watchdog_sandbox import bedrock_provisioned_throughput_backend as pt

PT_RESOURCE_TYPE = "bedrock:provisioned-model"
CUSTOM_MODEL_RESOURCE_TYPE = "bedrock:custom-model"
_MARKER = "_watchdog_bedrock_pt"


def _params(response: BedrockResponse) -> dict[str, Any]:
    # moto parses body, query string and URI labels with botocore's model, into typed values.
    response.parse_parameters(response.normalized_request)
    params: dict[str, Any] = response.params
    return params


def _create(response: BedrockResponse) -> ActionResult:
    params, backend = _params(response), response.bedrock_backend
    token = params.get("clientRequestToken")
    earlier = pt.arn_for_token(backend, token) if token else None
    if earlier:
        return ActionResult({"provisionedModelArn": earlier})  # an idempotent retry
    throughput = pt.create(
        backend,
        name=params["provisionedModelName"],
        model_id=params["modelId"],
        model_units=int(params["modelUnits"]),
        commitment_duration=params.get("commitmentDuration"),
        tags=params.get("tags"),
    )
    if token:
        pt.remember_token(backend, token, throughput.arn)
    return ActionResult({"provisionedModelArn": throughput.arn})


def _get(response: BedrockResponse) -> ActionResult:
    throughput = pt.find(response.bedrock_backend, _params(response)["provisionedModelId"])
    return ActionResult(throughput.view(observe=True))


def _list(response: BedrockResponse) -> ActionResult:
    return ActionResult(pt.list_page(response.bedrock_backend, _params(response)))


def _update(response: BedrockResponse) -> ActionResult:
    params = _params(response)
    pt.update(
        response.bedrock_backend,
        params["provisionedModelId"],
        new_name=params.get("desiredProvisionedModelName"),
        new_model_id=params.get("desiredModelId"),
    )
    return EmptyResult()


def _delete(response: BedrockResponse) -> ActionResult:
    pt.delete(response.bedrock_backend, _params(response)["provisionedModelId"])
    return EmptyResult()


_HANDLERS: dict[str, Callable[[BedrockResponse], ActionResult]] = {
    "create_provisioned_model_throughput": _create,
    "get_provisioned_model_throughput": _get,
    "list_provisioned_model_throughputs": _list,
    "update_provisioned_model_throughput": _update,
    "delete_provisioned_model_throughput": _delete,
}


def _tagged_bedrock_resources(
    account_id: str,
    region: str,
    tag_filters: list[dict[str, Any]] | None,
    type_filters: list[str] | None,
    arns: list[str] | None,
) -> Iterator[TaggedResource]:
    # Plain dict lookups: BackendDict's __getitem__ would create a bedrock backend as a side
    # effect of a GetResources call in an account/region that never used Bedrock.
    account_backends = dict.get(bedrock_backends, account_id)
    backend = dict.get(account_backends, region) if account_backends is not None else None
    if not isinstance(backend, BedrockBackend):
        return
    matches = make_tag_matcher(tag_filters)
    candidates = [(p.arn, PT_RESOURCE_TYPE) for p in pt.throughputs(backend)] + [
        (m.model_arn, CUSTOM_MODEL_RESOURCE_TYPE) for m in backend.custom_models.values()
    ]
    for arn, resource_type in candidates:
        tags = backend.tagger.get_tag_dict_for_resource(arn)
        # Like moto's own taggable backends, resources without tags are left out.
        if (
            tags
            and match_resource_type(resource_type, type_filters)
            and matches(tags)
            and (not arns or arn in arns)
        ):
            yield TaggedResource(arn=arn, tags=tags, resource_type=resource_type)


def _is_ours(method: Any) -> bool:
    # Follow the functools.wraps chain: another addition may have wrapped the method after us.
    while method is not None:
        if getattr(method, _MARKER, False):
            return True
        method = getattr(method, "__wrapped__", None)
    return False


def _wrap_get_resources_generator() -> None:
    # Wrapping the generator rather than get_resources keeps moto's ResourcesPerPage /
    # TagsPerPage paging and PaginationToken handling for our resources too.
    original = ResourceGroupsTaggingAPIBackend._get_resources_generator
    if _is_ours(original):
        return

    @functools.wraps(original)
    def generator(
        self: ResourceGroupsTaggingAPIBackend,
        tag_filters: list[dict[str, Any]] | None = None,
        resource_type_filters: list[str] | None = None,
        resource_arn_list: list[str] | None = None,
    ) -> Iterator[TaggedResource]:
        yield from original(self, tag_filters, resource_type_filters, resource_arn_list)
        yield from _tagged_bedrock_resources(
            self.account_id, self.region_name, tag_filters, resource_type_filters, resource_arn_list
        )

    setattr(generator, _MARKER, True)
    ResourceGroupsTaggingAPIBackend._get_resources_generator = generator  # type: ignore[method-assign]


def _wrap_list_arns() -> None:
    # moto's bedrock TagResource / UntagResource / ListTagsForResource accept only ARNs it lists.
    original = BedrockBackend._list_arns
    if _is_ours(original):
        return

    @functools.wraps(original)
    def list_arns(self: BedrockBackend) -> list[str]:
        return original(self) + [p.arn for p in pt.throughputs(self)]

    setattr(list_arns, _MARKER, True)
    BedrockBackend._list_arns = list_arns  # type: ignore[method-assign]


def install() -> None:
    """Patch moto in place (idempotent): the five operations plus tagging support."""
    for name, handler in _HANDLERS.items():
        setattr(BedrockResponse, name, handler)
    _wrap_list_arns()
    _wrap_get_resources_generator()


def put_provisioned_throughput(
    name: str,
    model_id: str,
    *,
    model_units: int = 1,
    commitment_duration: str | None = None,
    creation_time: datetime | None = None,
    commitment_expiration_time: datetime | None = None,
    status: str = "InService",
    failure_message: str | None = None,
    tags: dict[str, str] | None = None,
    account_id: str = DEFAULT_ACCOUNT_ID,
    region_name: str = "us-east-1",
) -> str:
    """Plant a throughput straight into the in-process backend and return its ARN.

    For history the API can't create: a `creation_time` months ago, a commitment ending at a
    chosen time (derived from `creation_time` + `commitment_duration` when omitted, so it may
    already be over), any status (no transition runs). Same validation as
    CreateProvisionedModelThroughput; `model_id` is a foundation model ID/ARN or a custom model
    name/ARN. Visible to `mock_aws` clients and to a `ThreadedMotoServer` in the same process.
    """
    install()
    throughput = pt.create(
        bedrock_backends[account_id][region_name],
        name=name,
        model_id=model_id,
        model_units=model_units,
        commitment_duration=commitment_duration,
        tags=[{"key": k, "value": v} for k, v in (tags or {}).items()],
        creation_time=creation_time,
        commitment_expiration_time=commitment_expiration_time,
        status=status,
    )
    throughput.failure_message = failure_message
    return throughput.arn

"""Tags for the new SageMaker kinds, and SageMaker in the Resource Groups Tagging API.

- AddTags/ListTags/DeleteTags work on every ARN in the additions' index (user profiles, spaces,
  apps, inference components, MLflow tracking servers); an unknown ARN of those kinds answers
  ResourceNotFound instead of moto's crash on their multi-part resource ids.
- AddTags overwrites the value of an existing key instead of adding a duplicate, as AWS does
  (API_AddTags: "Tag keys must be unique per resource"), and works on moto domains created
  without tags.
- GetResources (moto.resourcegroupstaggingapi) also returns the new kinds under resource types
  such as "sagemaker:app", next to what moto already yields (endpoints, endpoint configs, models,
  notebook instances, domains...). moto's own SageMaker listing is wrapped, never replaced, so
  other additions can wrap the same hooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from moto.core.resource_tagging import TaggedResource
from moto.sagemaker.exceptions import ResourceNotFound, ValidationError
from moto.sagemaker.models import SageMakerModelBackend

from watchdog_sandbox import sagemaker_common as common

_TAG = "watchdog.sagemaker_tags"
# Resource-id prefixes of the kinds this package emulates (the part of the ARN before "/").
ADDED_KINDS = frozenset(
    {"user-profile", "space", "app", "inference-component", "mlflow-tracking-server"}
)


def install() -> None:
    common.wrap_method(
        SageMakerModelBackend, "_get_resource_from_arn", _TAG, _wrap_get_resource_from_arn
    )
    common.wrap_method(SageMakerModelBackend, "add_tags", _TAG, _wrap_add_tags)
    common.wrap_method(SageMakerModelBackend, "iter_tagged_resources", _TAG, _wrap_iter_tagged)


def _wrap_get_resource_from_arn(original: Callable[..., Any]) -> Callable[..., Any]:
    def _get_resource_from_arn(self: Any, arn: str) -> Any:
        record = common.find_record(self.account_id, self.region_name, arn)
        if record is not None:
            return record
        kind = arn.split(":", 5)[-1].split("/", 1)[0]
        if kind in ADDED_KINDS:
            raise ResourceNotFound(f"Resource [{arn}] does not exist.")
        resource = original(self, arn)
        if resource is None:
            # moto returns None for an unknown name of a known kind and then crashes on it.
            raise ValidationError(f"Could not find resource [{arn}].")
        if getattr(resource, "tags", None) is None:
            # moto keeps None on domains created without tags; every tag call expects a list.
            resource.tags = []
        return resource

    return _get_resource_from_arn


def _wrap_add_tags(original: Callable[..., Any]) -> Callable[..., Any]:
    # Replaces moto's list.extend (duplicate keys) rather than calling it: AddTags overwrites.
    del original

    def add_tags(self: Any, arn: str, tags: list[dict[str, str]]) -> list[dict[str, str]]:
        resource = self._get_resource_from_arn(arn)
        resource.tags = common.merge_tags(resource.tags, tags)
        merged: list[dict[str, str]] = resource.tags
        return merged

    return add_tags


def _wrap_iter_tagged(original: Callable[..., Any]) -> Callable[..., Any]:
    def iter_tagged_resources(self: Any) -> Iterator[TaggedResource]:
        # GetResources pulls pages lazily from this generator across requests: take a snapshot
        # so a resource created or deleted between pages cannot break the iteration.
        for resource in list(original(self)):
            if isinstance(resource.arn, tuple):
                # moto stores endpoint configs' ARN as a one-element tuple.
                resource.arn = resource.arn[0]
            yield resource
        for record in common.all_records(self.account_id, self.region_name):
            yield TaggedResource(
                arn=record.arn,
                tags={tag["Key"]: tag["Value"] for tag in record.tags},
                resource_type=record.resource_type,
            )

    return iter_tagged_resources

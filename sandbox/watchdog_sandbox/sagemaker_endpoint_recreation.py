"""An endpoint created again under the name of one deleted before comes up `Creating`, as AWS's
does, where moto makes every endpoint InService at once.

AWS, as this emulation follows it: CreateEndpoint returns at once and the endpoint is `Creating`
until its instances are provisioned and the model is loaded, then `InService` (botocore's
EndpointStatus; the EndpointInService waiter polls DescribeEndpoint for it); this takes minutes
("CreateEndpoint": "When it finishes creating the endpoint, it sets the status to InService").

Only re-creation is emulated: that is the call the watchdog makes (a parked endpoint resumed, a
deleted one restored) and waits for, and the seed and most tests create endpoints fresh and read
them InService at once. The interim status lasts as `transitions` says (reads and seconds).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.sagemaker.models import FakeEndpoint, SageMakerModelBackend

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.transitions import AsyncStatus

_TAG = "watchdog.sagemaker_endpoint_recreation"
# Kept on moto's own objects, so a fresh backend (a new mock, a reset server) forgets them: the
# names a backend deleted, and an endpoint's way to InService.
_DELETED = "_watchdog_deleted_endpoints"
_CREATING = "_watchdog_creating"
_lock = threading.Lock()


def install() -> None:
    common.wrap_method(SageMakerModelBackend, "delete_endpoint", _TAG, _deleting)
    common.wrap_method(SageMakerModelBackend, "create_endpoint", _TAG, _creating_again)
    common.wrap_method(SageMakerModelBackend, "describe_endpoint", _TAG, _describing)


def observe(endpoint: FakeEndpoint) -> None:
    """A read of the endpoint (DescribeEndpoint, Search): moves a re-creation along."""
    status: AsyncStatus | None = getattr(endpoint, _CREATING, None)
    if status is None:
        return
    endpoint.endpoint_status = status.observe() or "InService"
    if endpoint.endpoint_status == "InService":
        setattr(endpoint, _CREATING, None)


def _deleted(backend: Any) -> set[str]:
    with _lock:
        if not hasattr(backend, _DELETED):
            setattr(backend, _DELETED, set())
        names: set[str] = getattr(backend, _DELETED)
        return names


def _deleting(original: Callable[..., None]) -> Callable[..., None]:
    def delete_endpoint(self: Any, endpoint_name: str) -> None:
        original(self, endpoint_name)
        _deleted(self).add(endpoint_name)

    return delete_endpoint


def _creating_again(original: Callable[..., FakeEndpoint]) -> Callable[..., FakeEndpoint]:
    def create_endpoint(self: Any, endpoint_name: str, endpoint_config_name: str, **kw: Any) -> Any:
        endpoint = original(self, endpoint_name, endpoint_config_name, **kw)
        deleted = _deleted(self)
        if endpoint_name in deleted:
            deleted.discard(endpoint_name)
            status = AsyncStatus("Creating")
            status.begin("Creating", "InService")
            setattr(endpoint, _CREATING, status)
            endpoint.endpoint_status = "Creating"
        return endpoint

    return create_endpoint


def _describing(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def describe_endpoint(self: Any, endpoint_name: str) -> dict[str, Any]:
        endpoint = self.endpoints.get(endpoint_name)
        if endpoint is not None:
            observe(endpoint)
        return original(self, endpoint_name)

    return describe_endpoint

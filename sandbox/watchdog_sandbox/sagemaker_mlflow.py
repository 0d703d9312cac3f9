"""MLflow tracking servers: Create/Describe/List/Start/Stop/DeleteMlflowTrackingServer.

moto has none. A tracking server bills while it runs and does not block DeleteDomain, which is
why it is easy to forget (aws-facts.md). Lifecycle (API_DescribeMlflowTrackingServer statuses):
Created --Stop--> Stopping -> Stopped --Start--> Starting -> Started; Delete: Deleting -> gone.
Stop needs a running server and Start a stopped one, otherwise ConflictException
(API_StopMlflowTrackingServer / API_StartMlflowTrackingServer list it). IsActive is Inactive
once the server is stopping or stopped.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import (
    ConflictException,
    ResourceInUseException,
    ResourceNotFound,
    ValidationError,
)

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.transitions import AsyncStatus

DEFAULT_MLFLOW_VERSION = "2.16.2"
SIZES = ("Small", "Medium", "Large")
RUNNING = frozenset({"Created", "Started", "Updated", "MaintenanceComplete"})
_INACTIVE = frozenset({"Stopping", "Stopped", "StopFailed", "Starting", "Deleting"})
_SORT_KEYS = {"Name": "name", "CreationTime": "created", "Status": "status_now"}


@dataclass
class TrackingServer:
    resource_type: ClassVar[str] = "sagemaker:mlflow-tracking-server"

    name: str
    arn: str
    artifact_store_uri: str
    size: str
    mlflow_version: str
    role_arn: str
    automatic_model_registration: bool
    maintenance_window: str
    url: str
    tags: common.Tags
    created: datetime = field(default_factory=common.now)
    modified: datetime = field(default_factory=common.now)
    status: AsyncStatus = field(default_factory=lambda: AsyncStatus("Created"))
    seq: int = field(default_factory=common.next_sequence)

    @property
    def status_now(self) -> str:
        return self.status.peek() or "Deleting"

    def exists(self) -> bool:
        return self.status.peek() is not None

    def summary(self, status: str) -> dict[str, Any]:
        return {
            "TrackingServerArn": self.arn,
            "TrackingServerName": self.name,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
            "TrackingServerStatus": status,
            "IsActive": "Inactive" if status in _INACTIVE else "Active",
            "MlflowVersion": self.mlflow_version,
        }

    def describe(self, status: str) -> dict[str, Any]:
        return {
            **self.summary(status),
            "ArtifactStoreUri": self.artifact_store_uri,
            "TrackingServerSize": self.size,
            "RoleArn": self.role_arn,
            "TrackingServerUrl": self.url,
            "WeeklyMaintenanceWindowStart": self.maintenance_window,
            "AutomaticModelRegistration": self.automatic_model_registration,
        }


def install() -> None:
    common.add_actions(
        {
            "create_mlflow_tracking_server": create_mlflow_tracking_server,
            "describe_mlflow_tracking_server": describe_mlflow_tracking_server,
            "list_mlflow_tracking_servers": list_mlflow_tracking_servers,
            "stop_mlflow_tracking_server": stop_mlflow_tracking_server,
            "start_mlflow_tracking_server": start_mlflow_tracking_server,
            "delete_mlflow_tracking_server": delete_mlflow_tracking_server,
        }
    )


def servers(account_id: str, region: str) -> dict[str, TrackingServer]:
    return common.table(account_id, region, "mlflow-tracking-servers")


def live_servers(account_id: str, region: str) -> list[TrackingServer]:
    return common.live(servers(account_id, region), account_id, region)


def _find(account_id: str, region: str, name: str) -> TrackingServer:
    live_servers(account_id, region)
    server = servers(account_id, region).get(name)
    if server is None:
        resource = common.arn(account_id, region, f"mlflow-tracking-server/{name}")
        raise ResourceNotFound(f"TrackingServer [{resource}] does not exist.")
    return server


def create_mlflow_tracking_server(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    name = self._get_param("TrackingServerName")
    live_servers(account_id, region)
    if name in servers(account_id, region):
        raise ResourceInUseException(
            f"Resource Already Exists: TrackingServer with name {name} already exists."
        )
    size = self._get_param("TrackingServerSize") or "Small"
    if size not in SIZES:
        raise ValidationError(
            f"1 validation error detected: Value '{size}' at 'trackingServerSize' failed to "
            f"satisfy constraint: Member must satisfy enum value set: [{', '.join(SIZES)}]"
        )
    suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=12))
    server = TrackingServer(
        name=name,
        arn=common.arn(account_id, region, f"mlflow-tracking-server/{name}"),
        artifact_store_uri=self._get_param("ArtifactStoreUri"),
        size=size,
        mlflow_version=self._get_param("MlflowVersion") or DEFAULT_MLFLOW_VERSION,
        role_arn=self._get_param("RoleArn"),
        automatic_model_registration=bool(self._get_param("AutomaticModelRegistration")),
        maintenance_window=self._get_param("WeeklyMaintenanceWindowStart") or "Tue:03:30",
        url=f"https://t-{suffix}.{region}.experiments.sagemaker.aws",
        tags=common.merge_tags([], self._get_param("Tags") or []),
    )
    servers(account_id, region)[name] = server
    common.index_record(account_id, region, server)
    return ActionResult({"TrackingServerArn": server.arn})


def describe_mlflow_tracking_server(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    name = self._get_param("TrackingServerName")
    server = _find(account_id, region, name)
    status = server.status.observe()
    if status is None:
        _find(account_id, region, name)  # this very read completed the deletion
    return ActionResult(server.describe(str(status)))


def list_mlflow_tracking_servers(self: Any) -> ActionResult:
    params = self.params
    after, before = params.get("CreatedAfter"), params.get("CreatedBefore")
    found = [
        server
        for server in live_servers(self.current_account, self.region)
        if params.get("TrackingServerStatus") in (None, server.status_now)
        and params.get("MlflowVersion") in (None, server.mlflow_version)
        and (after is None or server.created > common.naive_utc(after))
        and (before is None or server.created < common.naive_utc(before))
    ]
    sort_by = _SORT_KEYS[params.get("SortBy") or "CreationTime"]
    found.sort(
        key=lambda server: (getattr(server, sort_by), server.seq),
        reverse=common.sort_order_reverse(params.get("SortOrder"), default="Descending"),
    )
    page, token = common.paginate(found, params.get("NextToken"), params.get("MaxResults"))
    summaries = []
    for server in page:
        status = server.status.observe()
        if status is not None:
            summaries.append(server.summary(status))
    return ActionResult({"TrackingServerSummaries": summaries, "NextToken": token})


def stop_mlflow_tracking_server(self: Any) -> ActionResult:
    server = _find(self.current_account, self.region, self._get_param("TrackingServerName"))
    if server.status_now not in RUNNING:
        raise ConflictException(
            f"TrackingServer {server.name} is {server.status_now}: only a running tracking "
            "server can be stopped."
        )
    server.status.begin("Stopping", "Stopped")
    server.modified = common.now()
    return ActionResult({"TrackingServerArn": server.arn})


def start_mlflow_tracking_server(self: Any) -> ActionResult:
    server = _find(self.current_account, self.region, self._get_param("TrackingServerName"))
    if server.status_now != "Stopped":
        raise ConflictException(
            f"TrackingServer {server.name} is {server.status_now}: only a stopped tracking "
            "server can be started."
        )
    server.status.begin("Starting", "Started")
    server.modified = common.now()
    return ActionResult({"TrackingServerArn": server.arn})


def delete_mlflow_tracking_server(self: Any) -> ActionResult:
    server = _find(self.current_account, self.region, self._get_param("TrackingServerName"))
    if server.status_now == "Deleting":
        raise ConflictException(f"TrackingServer {server.name} is already being deleted.")
    server.status.begin("Deleting", None)
    server.modified = common.now()
    return ActionResult({"TrackingServerArn": server.arn})

"""SageMaker Studio and MLflow for the seeders: a domain, user profiles, spaces, apps, tracking
servers. Built in the order AWS requires (the reverse of the teardown order).

`age` on a spec: how long before the seed's `now` it was created (see seed_sagemaker); for an app
that is how long it has been running, since stopping a Studio app deletes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, cast

from watchdog_sandbox.seed_sagemaker import sm_tags

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import UserSettingsTypeDef

    from watchdog_sandbox.seed_clients import AwsClients

IdleShutdown = Literal["ENABLED", "DISABLED"]


@dataclass(frozen=True)
class AppSpec:
    app_type: Literal["JupyterServer", "KernelGateway", "JupyterLab", "CodeEditor"]
    name: str = "default"
    instance_type: str | None = None  # None: the app type's default (JupyterServer runs on none)
    age: timedelta | None = None


@dataclass(frozen=True)
class ProfileSpec:
    name: str
    idle_shutdown: IdleShutdown | None = None  # None: inherit the domain's setting
    idle_timeout_minutes: int = 120
    apps: tuple[AppSpec, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)
    age: timedelta | None = None


@dataclass(frozen=True)
class SpaceSpec:
    name: str
    owner: str  # the user profile that created it (AWS wants an owner for shared spaces too)
    sharing: Literal["Private", "Shared"]
    app: AppSpec | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    age: timedelta | None = None


@dataclass(frozen=True)
class DomainSpec:
    name: str
    idle_shutdown: IdleShutdown
    profiles: tuple[ProfileSpec, ...]
    spaces: tuple[SpaceSpec, ...]
    tags: Mapping[str, str] = field(default_factory=dict)
    age: timedelta | None = None

    @property
    def app_count(self) -> int:
        return sum(len(p.apps) for p in self.profiles) + sum(1 for s in self.spaces if s.app)


@dataclass(frozen=True)
class TrackingServerSpec:
    name: str
    size: Literal["Small", "Medium", "Large"] = "Small"
    tags: Mapping[str, str] = field(default_factory=dict)
    age: timedelta | None = None


def _jupyterlab_settings(idle: IdleShutdown, timeout: int) -> dict[str, Any]:
    idle_settings: dict[str, Any] = {"LifecycleManagement": idle}
    if idle == "ENABLED":
        idle_settings["IdleTimeoutInMinutes"] = timeout
    return {"AppLifecycleManagement": {"IdleSettings": idle_settings}}


def _default_vpc(clients: AwsClients, region: str) -> tuple[str, list[str]]:
    """The region's default VPC and its subnets: where a quick-setup domain lands."""
    ec2 = clients.ec2(region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    return vpc["VpcId"], [s["SubnetId"] for s in subnets["Subnets"]][:2]


def _create_app(
    sm: SageMakerClient, domain_id: str, app: AppSpec, *, profile: str = "", space: str = ""
) -> None:
    kwargs: dict[str, Any] = {"DomainId": domain_id, "AppType": app.app_type, "AppName": app.name}
    # An app belongs to exactly one of a user profile or a space.
    if space:
        kwargs["SpaceName"] = space
    else:
        kwargs["UserProfileName"] = profile
    if app.instance_type is not None:
        kwargs["ResourceSpec"] = {"InstanceType": app.instance_type}
    sm.create_app(**kwargs)


def create_domain(clients: AwsClients, region: str, spec: DomainSpec, role_arn: str) -> str:
    """Create the domain, its profiles, spaces and apps; return the domain id."""
    sm = clients.sagemaker(region)
    vpc_id, subnet_ids = _default_vpc(clients, region)
    domain: dict[str, Any] = {
        "DomainName": spec.name,
        "AuthMode": "IAM",
        "DefaultUserSettings": {
            "ExecutionRole": role_arn,
            "JupyterLabAppSettings": _jupyterlab_settings(spec.idle_shutdown, 120),
        },
        "DefaultSpaceSettings": {"ExecutionRole": role_arn},
        "VpcId": vpc_id,
        "SubnetIds": subnet_ids,
        "Tags": sm_tags(spec.tags),
    }
    arn = sm.create_domain(**domain)["DomainArn"]
    domain_id = arn.rsplit("/", 1)[-1]
    for profile in spec.profiles:
        settings: dict[str, Any] = {}
        if profile.idle_shutdown is not None:
            settings["JupyterLabAppSettings"] = _jupyterlab_settings(
                profile.idle_shutdown, profile.idle_timeout_minutes
            )
        sm.create_user_profile(
            DomainId=domain_id,
            UserProfileName=profile.name,
            UserSettings=cast("UserSettingsTypeDef", settings),
            Tags=sm_tags(profile.tags),
        )
        for app in profile.apps:
            _create_app(sm, domain_id, app, profile=profile.name)
    for space in spec.spaces:
        kwargs: dict[str, Any] = {
            "DomainId": domain_id,
            "SpaceName": space.name,
            "Tags": sm_tags(space.tags),
            "SpaceSettings": {"AppType": space.app.app_type if space.app else "JupyterLab"},
            "SpaceSharingSettings": {"SharingType": space.sharing},
            "OwnershipSettings": {"OwnerUserProfileName": space.owner},
        }
        sm.create_space(**kwargs)
        if space.app is not None:
            _create_app(sm, domain_id, space.app, space=space.name)
    return domain_id


def create_tracking_server(
    sm: SageMakerClient, region: str, spec: TrackingServerSpec, role_arn: str
) -> None:
    sm.create_mlflow_tracking_server(
        TrackingServerName=spec.name,
        ArtifactStoreUri=f"s3://sagemaker-{region}-mlflow/{spec.name}",
        TrackingServerSize=spec.size,
        RoleArn=role_arn,
        Tags=sm_tags(spec.tags),
    )

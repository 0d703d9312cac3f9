"""Records and shared rules for the emulated Studio: user profiles, spaces and apps.

The three kinds reference each other (an app belongs to a profile or a space, a private space to
its owner profile, all of them to a domain), so their records and the deletion rules that cross
kinds live here, and the per-kind modules hold only the API handlers.

Rules (SageMaker dev guide "Delete a domain"; API_DeleteApp, API_DeleteSpace,
API_DeleteUserProfile, API_DeleteDomain):
- a profile or space cannot be deleted while it has apps that are not Deleted or Failed;
- a profile cannot be deleted while it owns private spaces;
- a domain cannot be deleted while it has user profiles or spaces.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from moto.sagemaker.exceptions import ResourceNotFound
from moto.sagemaker.models import Domain, sagemaker_backends

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox.transitions import AsyncStatus

# App statuses after which an app no longer holds its profile or space (API_DeleteUserProfile).
FINISHED_APP_STATUSES = frozenset({"Deleted", "Failed"})
# Instance type AWS uses when neither the request nor the settings name one (API_ResourceSpec:
# JupyterServer runs on "system"; KernelGateway's "system" means ml.t3.medium).
_DEFAULT_INSTANCE_TYPE = {"JupyterServer": "system"}
_FALLBACK_INSTANCE_TYPE = "ml.t3.medium"


def _efs_uid() -> str:
    # Studio gives every profile/space a POSIX uid on the domain's EFS home volume.
    return str(random.randint(200000, 299999))


@dataclass
class UserProfile:
    resource_type: ClassVar[str] = "sagemaker:user-profile"

    domain_id: str
    name: str
    arn: str
    user_settings: dict[str, Any] | None
    sso_identifier: str | None
    sso_value: str | None
    tags: common.Tags
    created: datetime = field(default_factory=common.now)
    modified: datetime = field(default_factory=common.now)
    status: AsyncStatus = field(default_factory=lambda: AsyncStatus("InService"))
    efs_uid: str = field(default_factory=_efs_uid)
    seq: int = field(default_factory=common.next_sequence)

    def exists(self) -> bool:
        return self.status.peek() is not None

    def describe(self, status: str) -> dict[str, Any]:
        return _without_none(
            {
                "DomainId": self.domain_id,
                "UserProfileArn": self.arn,
                "UserProfileName": self.name,
                "HomeEfsFileSystemUid": self.efs_uid,
                "Status": status,
                "LastModifiedTime": self.modified,
                "CreationTime": self.created,
                "SingleSignOnUserIdentifier": self.sso_identifier,
                "SingleSignOnUserValue": self.sso_value,
                "UserSettings": self.user_settings,
            }
        )

    def summary(self, status: str) -> dict[str, Any]:
        return {
            "DomainId": self.domain_id,
            "UserProfileName": self.name,
            "Status": status,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
        }


@dataclass
class Space:
    resource_type: ClassVar[str] = "sagemaker:space"

    domain_id: str
    name: str
    arn: str
    settings: dict[str, Any] | None
    ownership: dict[str, Any] | None
    sharing: dict[str, Any] | None
    display_name: str | None
    url: str
    tags: common.Tags
    created: datetime = field(default_factory=common.now)
    modified: datetime = field(default_factory=common.now)
    status: AsyncStatus = field(default_factory=lambda: AsyncStatus("InService"))
    efs_uid: str = field(default_factory=_efs_uid)
    seq: int = field(default_factory=common.next_sequence)

    @property
    def owner(self) -> str | None:
        return (self.ownership or {}).get("OwnerUserProfileName")

    @property
    def is_private(self) -> bool:
        return (self.sharing or {}).get("SharingType") == "Private"

    def exists(self) -> bool:
        return self.status.peek() is not None

    def describe(self, status: str) -> dict[str, Any]:
        return _without_none(
            {
                "DomainId": self.domain_id,
                "SpaceArn": self.arn,
                "SpaceName": self.name,
                "HomeEfsFileSystemUid": self.efs_uid,
                "Status": status,
                "LastModifiedTime": self.modified,
                "CreationTime": self.created,
                "SpaceSettings": self.settings,
                "OwnershipSettings": self.ownership,
                "SpaceSharingSettings": self.sharing,
                "SpaceDisplayName": self.display_name,
                "Url": self.url,
            }
        )

    def summary(self, status: str) -> dict[str, Any]:
        settings = self.settings or {}
        settings_summary = {
            key: settings[key]
            for key in ("AppType", "SpaceStorageSettings", "RemoteAccess")
            if key in settings
        }
        return _without_none(
            {
                "DomainId": self.domain_id,
                "SpaceName": self.name,
                "Status": status,
                "CreationTime": self.created,
                "LastModifiedTime": self.modified,
                "SpaceSettingsSummary": settings_summary or None,
                "SpaceSharingSettingsSummary": self.sharing,
                "OwnershipSettingsSummary": self.ownership,
                "SpaceDisplayName": self.display_name,
            }
        )


@dataclass
class App:
    resource_type: ClassVar[str] = "sagemaker:app"

    domain_id: str
    user_profile_name: str | None
    space_name: str | None
    app_type: str
    name: str
    arn: str
    resource_spec: dict[str, Any]
    recovery_mode: bool | None
    tags: common.Tags
    created: datetime = field(default_factory=common.now)
    status: AsyncStatus = field(default_factory=lambda: AsyncStatus("InService"))
    seq: int = field(default_factory=common.next_sequence)

    def exists(self) -> bool:
        # A Deleted app is still listed for a while, but it is no longer a live resource.
        return self.status.peek() not in (None, "Deleted")

    def describe(self, status: str) -> dict[str, Any]:
        # Studio's health checks bump LastUserActivityTimestamp too (aws-facts.md), which is
        # exactly why it is no activity signal: emulate that by stamping every read.
        stamp = common.now() if status == "InService" else self.created
        return _without_none(
            {
                **self.summary(status),
                "AppArn": self.arn,
                "RecoveryMode": self.recovery_mode,
                "LastHealthCheckTimestamp": stamp,
                "LastUserActivityTimestamp": stamp,
            }
        )

    def summary(self, status: str) -> dict[str, Any]:
        return _without_none(
            {
                "DomainId": self.domain_id,
                "UserProfileName": self.user_profile_name,
                "SpaceName": self.space_name,
                "AppType": self.app_type,
                "AppName": self.name,
                "Status": status,
                "CreationTime": self.created,
                "ResourceSpec": self.resource_spec,
            }
        )


# --- tables --------------------------------------------------------------------------------


def profiles(account_id: str, region: str) -> dict[tuple[str, str], UserProfile]:
    return common.table(account_id, region, "studio-user-profiles")


def spaces(account_id: str, region: str) -> dict[tuple[str, str], Space]:
    return common.table(account_id, region, "studio-spaces")


def apps(account_id: str, region: str) -> dict[tuple[str, str, str, str, str], App]:
    """Keyed by (domain, "user-profile"|"space", owner name, app type, app name)."""
    return common.table(account_id, region, "studio-apps")


# --- cross-kind rules ----------------------------------------------------------------------


def domain(account_id: str, region: str, domain_id: str) -> Domain:
    """moto's Domain object, or ResourceNotFound as AWS answers for an unknown domain."""
    found: Domain | None = sagemaker_backends[account_id][region].domains.get(domain_id)
    if found is None:
        raise ResourceNotFound(f"Domain [{domain_id}] does not exist.")
    return found


def unfinished_apps(
    account_id: str,
    region: str,
    domain_id: str,
    *,
    profile: str | None = None,
    space: str | None = None,
) -> list[App]:
    """The apps of one profile (or space) that still hold it: not Deleted, not Failed."""
    owner = ("user-profile", profile) if profile is not None else ("space", space)
    return [
        app
        for key, app in list(apps(account_id, region).items())
        if key[:3] == (domain_id, *owner) and app.status.peek() not in FINISHED_APP_STATUSES
    ]


def private_spaces_of(account_id: str, region: str, domain_id: str, profile: str) -> list[Space]:
    return [
        space
        for space in common.live(spaces(account_id, region), account_id, region)
        if space.domain_id == domain_id and space.is_private and space.owner == profile
    ]


def domain_members(account_id: str, region: str, domain_id: str) -> list[UserProfile | Space]:
    present_profiles = common.live(profiles(account_id, region), account_id, region)
    present_spaces = common.live(spaces(account_id, region), account_id, region)
    members: list[UserProfile | Space] = [*present_profiles, *present_spaces]
    return [member for member in members if member.domain_id == domain_id]


def forget_domain_apps(account_id: str, region: str, domain_id: str) -> None:
    """A deleted domain takes its (already Deleted) app records with it."""
    table = apps(account_id, region)
    for key in [key for key in list(table) if key[0] == domain_id]:
        common.unindex_record(account_id, region, table.pop(key).arn)


def default_resource_spec(app_type: str, *settings: dict[str, Any] | None) -> dict[str, Any]:
    """The spec AWS fills in when CreateApp names none: the most specific settings win
    (space or profile, then the domain's defaults), else the documented fallback."""
    for source in settings:
        spec = ((source or {}).get(f"{app_type}AppSettings") or {}).get("DefaultResourceSpec")
        if spec and spec.get("InstanceType"):
            return dict(spec)
    return {"InstanceType": _DEFAULT_INSTANCE_TYPE.get(app_type, _FALLBACK_INSTANCE_TYPE)}


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}

"""Studio apps: Create/Describe/List/DeleteApp, which moto lacks.

An app belongs to a user profile (UserProfileName) or to a space (SpaceName), never both.
DeleteApp accepts only InService apps and is asynchronous: InService -> Deleting -> Deleted, and
Deleted apps stay visible in ListApps/DescribeApp, as on AWS. (API_CreateApp, API_DeleteApp,
API_ListApps; aws-facts.md "Teardown order and states".)
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox import sagemaker_studio_models as models
from watchdog_sandbox.sagemaker_spaces import find_space
from watchdog_sandbox.sagemaker_studio_models import App
from watchdog_sandbox.sagemaker_user_profiles import find_profile

AppKey = tuple[str, str, str, str, str]


def install() -> None:
    common.add_actions(
        {
            "create_app": create_app,
            "describe_app": describe_app,
            "list_apps": list_apps,
            "delete_app": delete_app,
        }
    )


def _owner(self: Any) -> tuple[str, str]:
    """("user-profile", name) or ("space", name): exactly one must be given (API_CreateApp)."""
    profile, space = self._get_param("UserProfileName"), self._get_param("SpaceName")
    if bool(profile) == bool(space):
        raise ValidationError("Exactly one of UserProfileName or SpaceName must be specified.")
    return ("user-profile", profile) if profile else ("space", space)


def _key(self: Any) -> AppKey:
    kind, owner = _owner(self)
    return (self._get_param("DomainId"), kind, owner, self._get_param("AppType"),
            self._get_param("AppName"))  # fmt: skip


def _app_arn(account_id: str, region: str, key: AppKey) -> str:
    domain_id, _, owner, app_type, name = key
    return common.arn(account_id, region, f"app/{domain_id}/{owner}/{app_type.lower()}/{name}")


def _find_app(account_id: str, region: str, key: AppKey) -> App:
    app = models.apps(account_id, region).get(key)
    if app is None:
        raise ResourceNotFound(f"App [{_app_arn(account_id, region, key)}] does not exist.")
    return app


def create_app(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    key = _key(self)
    domain_id, kind, owner, app_type, name = key
    domain = models.domain(account_id, region, domain_id)
    # Where a default ResourceSpec may come from, most specific first.
    settings: tuple[dict[str, Any] | None, ...]
    if kind == "user-profile":
        profile = find_profile(account_id, region, domain_id, owner)
        owner_status, owner_arn = profile.status.peek(), profile.arn
        settings = (profile.user_settings, domain.default_user_settings)
        # API_CreateUserProfile: a profile's tags are also added to every app it launches.
        inherited_tags = profile.tags
    else:
        space = find_space(account_id, region, domain_id, owner)
        owner_status, owner_arn = space.status.peek(), space.arn
        settings = (space.settings, domain.default_space_settings)
        inherited_tags = []
    if owner_status != "InService":
        raise ResourceInUseException(f"[{owner_arn}] is {owner_status}: cannot create apps.")
    table = models.apps(account_id, region)
    existing = table.get(key)
    if existing is not None and existing.status.peek() not in models.FINISHED_APP_STATUSES:
        raise ResourceInUseException(
            f"Resource Already Exists: App [{existing.arn}] already exists."
        )
    app = App(
        domain_id=domain_id,
        user_profile_name=owner if kind == "user-profile" else None,
        space_name=owner if kind == "space" else None,
        app_type=app_type,
        name=name,
        arn=_app_arn(account_id, region, key),
        resource_spec=self._get_param("ResourceSpec")
        or models.default_resource_spec(app_type, *settings),
        recovery_mode=self._get_param("RecoveryMode"),
        tags=common.merge_tags(inherited_tags, self._get_param("Tags") or []),
    )
    # A Deleted or Failed app of the same name is replaced, as AWS lets you relaunch it.
    table[key] = app
    common.index_record(account_id, region, app)
    return ActionResult({"AppArn": app.arn})


def describe_app(self: Any) -> ActionResult:
    app = _find_app(self.current_account, self.region, _key(self))
    return ActionResult(app.describe(str(app.status.observe())))


def list_apps(self: Any) -> ActionResult:
    domain_id = self._get_param("DomainIdEquals")
    profile = self._get_param("UserProfileNameEquals")
    space = self._get_param("SpaceNameEquals")
    if profile and space:
        raise ValidationError(
            "UserProfileNameEquals and SpaceNameEquals cannot be specified together."
        )
    found = [
        app
        for app in list(models.apps(self.current_account, self.region).values())
        if (domain_id is None or app.domain_id == domain_id)
        and (profile is None or app.user_profile_name == profile)
        and (space is None or app.space_name == space)
    ]
    found.sort(
        key=lambda app: (app.created, app.seq),
        reverse=common.sort_order_reverse(self._get_param("SortOrder"), default="Ascending"),
    )
    page, token = common.paginate(
        found, self._get_param("NextToken"), self._get_param("MaxResults")
    )
    summaries = [app.summary(str(app.status.observe())) for app in page]
    return ActionResult({"Apps": summaries, "NextToken": token})


def delete_app(self: Any) -> EmptyResult:
    app = _find_app(self.current_account, self.region, _key(self))
    status = app.status.peek()
    if status != "InService":
        # aws-facts.md: only InService apps can be deleted.
        raise ResourceInUseException(
            f"App [{app.arn}] is in status {status}; only InService apps can be deleted."
        )
    app.status.begin("Deleting", "Deleted")
    return EmptyResult()

"""Studio user profiles: Create/Describe/List/Update/DeleteUserProfile, which moto lacks.

DeleteUserProfile is refused (ResourceInUse) while the profile has apps that are not Deleted or
Failed, or owns private spaces; otherwise the profile turns Deleting and, once the transition
completes (see `transitions`), vanishes: Describe answers ResourceNotFound.
(API_DeleteUserProfile; SageMaker dev guide "Delete a domain".)
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox import sagemaker_studio_models as models
from watchdog_sandbox.sagemaker_studio_models import UserProfile

_SORT_KEYS = {"CreationTime": "created", "LastModifiedTime": "modified"}


def install() -> None:
    common.add_actions(
        {
            "create_user_profile": create_user_profile,
            "describe_user_profile": describe_user_profile,
            "list_user_profiles": list_user_profiles,
            "update_user_profile": update_user_profile,
            "delete_user_profile": delete_user_profile,
        }
    )


def find_profile(account_id: str, region: str, domain_id: str, name: str) -> UserProfile:
    """The profile, or ResourceNotFound (also once a finished deletion made it vanish)."""
    table = models.profiles(account_id, region)
    common.live(table, account_id, region)
    profile = table.get((domain_id, name))
    if profile is None:
        resource = common.arn(account_id, region, f"user-profile/{domain_id}/{name}")
        raise ResourceNotFound(f"UserProfile [{resource}] does not exist.")
    return profile


def create_user_profile(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    domain_id, name = self._get_param("DomainId"), self._get_param("UserProfileName")
    domain = models.domain(account_id, region, domain_id)
    sso_identifier = self._get_param("SingleSignOnUserIdentifier")
    sso_value = self._get_param("SingleSignOnUserValue")
    # API_CreateUserProfile: the SSO fields are required in an IAM Identity Center domain and
    # not allowed in any other.
    if (domain.auth_mode == "SSO") != bool(sso_identifier and sso_value):
        raise ValidationError(
            "SingleSignOnUserIdentifier and SingleSignOnUserValue must be specified if and only "
            f"if the domain's AuthMode is SSO (it is {domain.auth_mode})."
        )
    table = models.profiles(account_id, region)
    common.live(table, account_id, region)
    if (domain_id, name) in table:
        raise ResourceInUseException(
            f"Resource Already Exists: UserProfile with name {name} already exists in domain "
            f"{domain_id}. Choose a different name."
        )
    profile = UserProfile(
        domain_id=domain_id,
        name=name,
        arn=common.arn(account_id, region, f"user-profile/{domain_id}/{name}"),
        user_settings=self._get_param("UserSettings"),
        sso_identifier=sso_identifier,
        sso_value=sso_value,
        tags=common.merge_tags([], self._get_param("Tags") or []),
    )
    table[(domain_id, name)] = profile
    common.index_record(account_id, region, profile)
    return ActionResult({"UserProfileArn": profile.arn})


def describe_user_profile(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    domain_id, name = self._get_param("DomainId"), self._get_param("UserProfileName")
    profile = find_profile(account_id, region, domain_id, name)
    status = profile.status.observe()
    if status is None:
        # This very read completed the deletion.
        find_profile(account_id, region, domain_id, name)
    return ActionResult(profile.describe(str(status)))


def list_user_profiles(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    domain_id = self._get_param("DomainIdEquals")
    contains = self._get_param("UserProfileNameContains")
    sort_by = _SORT_KEYS[self._get_param("SortBy") or "CreationTime"]
    found = [
        profile
        for profile in common.live(models.profiles(account_id, region), account_id, region)
        if (domain_id is None or profile.domain_id == domain_id)
        and (contains is None or contains in profile.name)
    ]
    found.sort(
        key=lambda profile: (getattr(profile, sort_by), profile.seq),
        reverse=common.sort_order_reverse(self._get_param("SortOrder"), default="Ascending"),
    )
    page, token = common.paginate(
        found, self._get_param("NextToken"), self._get_param("MaxResults")
    )
    summaries = []
    for profile in page:
        status = profile.status.observe()
        if status is not None:
            summaries.append(profile.summary(status))
    return ActionResult({"UserProfiles": summaries, "NextToken": token})


def update_user_profile(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    profile = find_profile(
        account_id, region, self._get_param("DomainId"), self._get_param("UserProfileName")
    )
    if profile.status.peek() != "InService":
        raise ResourceInUseException(
            f"UserProfile [{profile.arn}] is {profile.status.peek()} and cannot be updated."
        )
    # UpdateUserProfile changes the settings it names and keeps the others.
    settings = self._get_param("UserSettings")
    if settings:
        profile.user_settings = {**(profile.user_settings or {}), **settings}
    profile.modified = common.now()
    return ActionResult({"UserProfileArn": profile.arn})


def delete_user_profile(self: Any) -> EmptyResult:
    account_id, region = self.current_account, self.region
    domain_id, name = self._get_param("DomainId"), self._get_param("UserProfileName")
    profile = find_profile(account_id, region, domain_id, name)
    if profile.status.peek() == "Deleting":
        raise ResourceInUseException(f"UserProfile [{profile.arn}] is already being deleted.")
    if models.unfinished_apps(account_id, region, domain_id, profile=name):
        raise ResourceInUseException(
            f"Unable to delete UserProfile [{profile.arn}] because App(s) are associated with it."
        )
    if models.private_spaces_of(account_id, region, domain_id, name):
        raise ResourceInUseException(
            f"Unable to delete UserProfile [{profile.arn}] because private Space(s) owned by "
            "it still exist."
        )
    profile.status.begin("Deleting", None)
    profile.modified = common.now()
    return EmptyResult()

"""Studio spaces: Create/Describe/List/DeleteSpace, which moto lacks.

A space is private (owned by one user profile) or shared. DeleteSpace is refused (ResourceInUse)
while the space has apps that are not Deleted or Failed; otherwise it turns Deleting and then
vanishes. (API_CreateSpace, API_DeleteSpace; dev guide "Delete a domain".)
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.sagemaker.exceptions import ResourceInUseException, ResourceNotFound, ValidationError

from watchdog_sandbox import sagemaker_common as common
from watchdog_sandbox import sagemaker_studio_models as models
from watchdog_sandbox.sagemaker_studio_models import Space

_SORT_KEYS = {"CreationTime": "created", "LastModifiedTime": "modified"}


def install() -> None:
    common.add_actions(
        {
            "create_space": create_space,
            "describe_space": describe_space,
            "list_spaces": list_spaces,
            "delete_space": delete_space,
        }
    )


def find_space(account_id: str, region: str, domain_id: str, name: str) -> Space:
    """The space, or ResourceNotFound (also once a finished deletion made it vanish)."""
    table = models.spaces(account_id, region)
    common.live(table, account_id, region)
    space = table.get((domain_id, name))
    if space is None:
        resource = common.arn(account_id, region, f"space/{domain_id}/{name}")
        raise ResourceNotFound(f"Space [{resource}] does not exist.")
    return space


def create_space(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    domain_id, name = self._get_param("DomainId"), self._get_param("SpaceName")
    models.domain(account_id, region, domain_id)
    ownership = self._get_param("OwnershipSettings")
    sharing = self._get_param("SpaceSharingSettings")
    # Ownership and sharing come together: a private or shared space always has an owner
    # (API_CreateSpace; a space created with neither is a legacy Studio Classic shared space).
    if bool(ownership) != bool(sharing):
        raise ValidationError(
            "OwnershipSettings and SpaceSharingSettings must be specified together."
        )
    if ownership:
        owner = ownership["OwnerUserProfileName"]
        profile_table = models.profiles(account_id, region)
        common.live(profile_table, account_id, region)
        if (domain_id, owner) not in profile_table:
            owner_arn = common.arn(account_id, region, f"user-profile/{domain_id}/{owner}")
            raise ResourceNotFound(f"UserProfile [{owner_arn}] does not exist.")
    table = models.spaces(account_id, region)
    common.live(table, account_id, region)
    if (domain_id, name) in table:
        raise ResourceInUseException(
            f"Resource Already Exists: Space with name {name} already exists in domain "
            f"{domain_id}. Choose a different name."
        )
    space = Space(
        domain_id=domain_id,
        name=name,
        arn=common.arn(account_id, region, f"space/{domain_id}/{name}"),
        settings=self._get_param("SpaceSettings"),
        ownership=ownership,
        sharing=sharing,
        display_name=self._get_param("SpaceDisplayName"),
        url=f"https://{domain_id}.studio.{region}.sagemaker.aws/spaces/{name}",
        tags=common.merge_tags([], self._get_param("Tags") or []),
    )
    table[(domain_id, name)] = space
    common.index_record(account_id, region, space)
    return ActionResult({"SpaceArn": space.arn})


def describe_space(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    domain_id, name = self._get_param("DomainId"), self._get_param("SpaceName")
    space = find_space(account_id, region, domain_id, name)
    status = space.status.observe()
    if status is None:
        # This very read completed the deletion.
        find_space(account_id, region, domain_id, name)
    return ActionResult(space.describe(str(status)))


def list_spaces(self: Any) -> ActionResult:
    account_id, region = self.current_account, self.region
    domain_id = self._get_param("DomainIdEquals")
    contains = self._get_param("SpaceNameContains")
    sort_by = _SORT_KEYS[self._get_param("SortBy") or "CreationTime"]
    found = [
        space
        for space in common.live(models.spaces(account_id, region), account_id, region)
        if (domain_id is None or space.domain_id == domain_id)
        and (contains is None or contains in space.name)
    ]
    found.sort(
        key=lambda space: (getattr(space, sort_by), space.seq),
        reverse=common.sort_order_reverse(self._get_param("SortOrder"), default="Ascending"),
    )
    page, token = common.paginate(
        found, self._get_param("NextToken"), self._get_param("MaxResults")
    )
    summaries = []
    for space in page:
        status = space.status.observe()
        if status is not None:
            summaries.append(space.summary(status))
    return ActionResult({"Spaces": summaries, "NextToken": token})


def delete_space(self: Any) -> EmptyResult:
    account_id, region = self.current_account, self.region
    domain_id, name = self._get_param("DomainId"), self._get_param("SpaceName")
    space = find_space(account_id, region, domain_id, name)
    if space.status.peek() == "Deleting":
        raise ResourceInUseException(f"Space [{space.arn}] is already being deleted.")
    if models.unfinished_apps(account_id, region, domain_id, space=name):
        raise ResourceInUseException(
            f"Unable to delete Space [{space.arn}] because App(s) are associated with it."
        )
    space.status.begin("Deleting", None)
    space.modified = common.now()
    return EmptyResult()

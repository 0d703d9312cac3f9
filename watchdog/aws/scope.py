"""Which accounts and regions a run covers, and the sessions to reach them.

Accounts are the current one, explicit role ARNs or account ids (entered through the member
role), or every active account of an AWS Organization. Each is entered with `sts:AssumeRole`
and an ExternalId when one is set. Regions are a list or `all`, the account's enabled regions.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from watchdog.aws.clients import ApiCallCounter, ClientFactory, shared_loader
from watchdog.aws.errors import describe_error
from watchdog.aws.setup import NO_CREDENTIALS, explain
from watchdog.records import ScanError

ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
SESSION_NAME = "ai-cost-watchdog"
# The first call of a run proves the credentials and the endpoint. A refused connection or a
# wrong host is not worth ten adaptive retries (13-20 s): two tries, a short connect timeout.
IDENTITY_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2},
    connect_timeout=5,
    read_timeout=30,
    user_agent_extra="ai-cost-watchdog",
)


class ScopeError(ValueError):
    """The requested scope cannot be used at all (bad input, or no credentials)."""


@dataclass(frozen=True)
class AccountTarget:
    """One account to scan: `role_arn` None means the caller's own credentials."""

    account_id: str | None
    role_arn: str | None = None


@dataclass(frozen=True)
class Shard:
    """One unit of scan work: an account's clients and one of its regions."""

    account_id: str
    region: str
    clients: ClientFactory


@dataclass
class Scope:
    """The (account, region) shards of one run, entered and ready, with the run's counter.

    Later stages (signals) reuse the same shards, so member accounts are entered once a run.
    """

    run_id: str
    account_id: str  # the caller's own account, the payer view for Cost Explorer
    shards: list[Shard]
    errors: list[ScanError]
    counter: ApiCallCounter
    home: ClientFactory  # the caller's own account (Pricing, Cost Explorer)
    home_region: str
    started: float = field(default_factory=time.monotonic)


def parse_accounts(spec: str | None, member_role: str | None) -> list[AccountTarget] | str:
    """Accounts as written by a user: `current`, `organization`, or role ARNs / account ids.

    Returns "organization" unresolved (that needs an API call); raises ScopeError on bad input.
    """
    # Each account once, in the order first named: `current,current` is one scan, not two.
    items = list(dict.fromkeys(i.strip() for i in (spec or "current").split(",") if i.strip()))
    if items == ["organization"]:
        if not member_role:
            raise ScopeError("--accounts organization needs a member role name (--member-role)")
        return "organization"
    targets = []
    for item in items:
        if item == "current":
            targets.append(AccountTarget(account_id=None))
        elif match := ROLE_ARN.match(item):
            targets.append(AccountTarget(account_id=match.group(1), role_arn=item))
        elif ACCOUNT_ID.match(item):
            if not member_role:
                raise ScopeError(f"account id {item} needs a member role name (--member-role)")
            targets.append(AccountTarget(account_id=item, role_arn=role_arn(item, member_role)))
        else:
            raise ScopeError(
                f"not an account: {item!r} (use current, organization, a role ARN or a "
                "12-digit account id)"
            )
    # An account named by id and by its role ARN is still one account.
    return list(dict.fromkeys(targets))


def named_roles(spec: str | None, member_role: str | None) -> dict[str, str]:
    """The role each account WATCHDOG_ACCOUNTS lists (by role ARN, or by id with the member
    role) is entered through; empty for `current`, `organization`, or a spec that does not
    parse (the scan reports that one)."""
    try:
        targets = parse_accounts(spec, member_role)
    except ScopeError:
        return {}
    if isinstance(targets, str):
        return {}
    return {t.account_id: t.role_arn for t in targets if t.account_id and t.role_arn}


def role_arn(account_id: str, role_name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account_id}:role/{role_name}"


def caller_account(base: boto3.Session, counter: ApiCallCounter) -> tuple[str, ClientFactory]:
    """The caller's own account id; a clear ScopeError when there are no usable credentials."""
    clients = ClientFactory(base, counter)
    region = base.region_name or "us-east-1"
    try:
        probe = base.client("sts", region_name=region, config=IDENTITY_CONFIG)
        identity = probe.get_caller_identity()
    except NoCredentialsError as error:
        raise ScopeError(NO_CREDENTIALS) from error
    except (BotoCoreError, ClientError, ValueError) as error:
        # Unreachable endpoint, unknown region or profile: say that, not "credentials".
        said = explain(error)
        if said is None and isinstance(error, ValueError):
            raise
        raise ScopeError(said or f"cannot use the AWS credentials: {error}") from error
    return str(identity["Account"]), clients


def organization_targets(
    clients: ClientFactory, region: str, own_account: str, member_role: str
) -> list[AccountTarget]:
    """Every ACTIVE account of the organization (needs the management or a delegated admin)."""
    organizations = clients.client("organizations", region)
    partition = clients.partition(region)
    try:
        pages = list(organizations.get_paginator("list_accounts").paginate())
    except ClientError as error:
        # Not in an organization, or not its management account nor a delegated administrator:
        # nothing can be scanned as asked, which is a usage error, not one shard's.
        raise ScopeError(
            f"--accounts organization: cannot list the organization's accounts from "
            f"{own_account} ({describe_error(error)}); run from the management account or a "
            "delegated administrator, or name the accounts"
        ) from error
    targets = []
    for page in pages:
        for account in page["Accounts"]:
            if _state(account) != "ACTIVE":
                continue  # suspended, closing or closed: nothing to scan, no role to enter
            if account["Id"] == own_account:
                targets.append(AccountTarget(account_id=None))
            else:
                role = role_arn(account["Id"], member_role, partition)
                targets.append(AccountTarget(account_id=account["Id"], role_arn=role))
    return targets


def _state(account: dict[str, Any]) -> str:
    """`State` (PENDING_ACTIVATION, ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED) replaces
    `Status`, which the Organizations API retires on 9 September 2026 (botocore's model for
    `Account.Status` says so); `Status` only where an older endpoint sends no `State`."""
    return str(account.get("State") or account.get("Status") or "ACTIVE")


def assume(
    clients: ClientFactory, region: str, role_arn: str, external_id: str | None
) -> boto3.Session:
    """A session inside another account, entered through its role."""
    params = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
    if external_id:
        params["ExternalId"] = external_id
    credentials = clients.client("sts", region).assume_role(**params)["Credentials"]
    entered = botocore.session.Session()
    entered.register_component("data_loader", shared_loader())
    return boto3.Session(
        botocore_session=entered,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=region,
    )


def check_regions(regions: list[str], known: set[str]) -> None:
    """Refuse a misspelt region before any call is made, suggesting the closest names."""
    for region in regions:
        if region not in known:
            close = difflib.get_close_matches(region, sorted(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise ScopeError(f"unknown region {region!r}{hint}")


def enabled_regions(clients: ClientFactory, home_region: str, service: str) -> list[str]:
    """The account's enabled regions where the service exists (DescribeRegions omits opted-out)."""
    answer = clients.client("ec2", home_region).describe_regions(AllRegions=False)
    offered = clients.available_regions(service)
    return sorted(r["RegionName"] for r in answer["Regions"] if r["RegionName"] in offered)


ErrorSink = Callable[[ScanError], None]

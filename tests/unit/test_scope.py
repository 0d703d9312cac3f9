from typing import Any

import boto3
import pytest

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.scope import (
    AccountTarget,
    ScopeError,
    assume,
    check_regions,
    organization_targets,
    parse_accounts,
)
from watchdog.settings import Settings

ROLE = "arn:aws:iam::210987654321:role/WatchdogMember"


def test_no_accounts_means_the_current_one() -> None:
    assert parse_accounts(None, None) == [AccountTarget(account_id=None)]


def test_role_arns_and_account_ids_mix() -> None:
    targets = parse_accounts(f"current,{ROLE},111122223333", "Reader")
    assert targets == [
        AccountTarget(account_id=None),
        AccountTarget(account_id="210987654321", role_arn=ROLE),
        AccountTarget(account_id="111122223333", role_arn="arn:aws:iam::111122223333:role/Reader"),
    ]


def test_organization_needs_a_member_role() -> None:
    with pytest.raises(ScopeError, match="member role"):
        parse_accounts("organization", None)
    assert parse_accounts("organization", "Reader") == "organization"


@pytest.mark.parametrize("bad", ["12345", "arn:aws:iam::123:role/x", "prod"])
def test_anything_else_is_refused_with_the_offending_item(bad: str) -> None:
    with pytest.raises(ScopeError, match="not an account"):
        parse_accounts(bad, "Reader")


def test_a_misspelt_region_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ScopeError, match="did you mean us-east-1"):
        check_regions(["us-eest-1"], {"us-east-1", "us-west-2"})


def test_regions_setting_accepts_lists_and_all_but_not_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHDOG_REGIONS", " us-east-1 , us-west-2 ")
    assert Settings().region_list() == ["us-east-1", "us-west-2"]
    assert Settings(regions="all").region_list() == ["all"]  # a flag beats the environment
    with pytest.raises(ValueError, match="cannot be combined"):
        Settings(regions="all,us-east-1")


class _Organizations:
    """An Organizations client answering ListAccounts as AWS does after 9 September 2026:
    `State` only, no `Status` (botocore's model retires it)."""

    def __init__(self, accounts: list[dict[str, str]]) -> None:
        self.accounts = accounts

    def get_paginator(self, name: str) -> "_Organizations":
        assert name == "list_accounts"
        return self

    def paginate(self) -> list[dict[str, list[dict[str, str]]]]:
        return [{"Accounts": self.accounts}]


class _Clients:
    def __init__(self, organizations: _Organizations) -> None:
        self.organizations = organizations

    def client(self, service: str, region: str) -> _Organizations:
        assert service == "organizations"
        return self.organizations

    def partition(self, region: str) -> str:
        return "aws"


def test_only_active_accounts_are_scanned_by_their_state_when_status_is_gone() -> None:
    accounts = [
        {"Id": "111111111111", "State": "ACTIVE"},
        {"Id": "222222222222", "State": "SUSPENDED"},
        {"Id": "333333333333", "State": "CLOSED"},
        {"Id": "444444444444", "State": "PENDING_CLOSURE"},
        {"Id": "555555555555", "State": "PENDING_ACTIVATION"},
        {"Id": "666666666666", "State": "ACTIVE"},
    ]
    clients: Any = _Clients(_Organizations(accounts))

    targets = organization_targets(clients, "us-east-1", "111111111111", "Reader")

    assert targets == [
        AccountTarget(account_id=None),
        AccountTarget(account_id="666666666666", role_arn="arn:aws:iam::666666666666:role/Reader"),
    ]


def test_status_still_counts_where_an_endpoint_sends_no_state() -> None:
    accounts = [{"Id": "111111111111", "Status": "ACTIVE"}, {"Id": "2" * 12, "Status": "SUSPENDED"}]
    clients: Any = _Clients(_Organizations(accounts))

    assert organization_targets(clients, "us-east-1", "111111111111", "Reader") == [
        AccountTarget(account_id=None)
    ]


class FakeClients:
    """A ClientFactory whose STS hands out credentials without a call."""

    def client(self, service: str, region: str) -> Any:
        class Sts:
            def assume_role(self, **_: Any) -> dict[str, Any]:
                keys = {"AccessKeyId": "AKIA", "SecretAccessKey": "s", "SessionToken": "t"}
                return {"Credentials": keys}

        return Sts()


def test_sessions_entered_through_roles_share_one_loader_that_does_not_grow() -> None:
    """Each account's session would otherwise parse every service model again."""
    entered = [assume(FakeClients(), "us-east-1", ROLE, "xid") for _ in range(3)]  # type: ignore[arg-type]

    loaders = {id(session._session.get_component("data_loader")) for session in entered}
    assert len(loaders) == 1
    paths = entered[0]._session.get_component("data_loader").search_paths
    assert len(paths) == len(set(paths))  # boto3 adds its data directory once, not per session
    credentials = entered[2].get_credentials()
    assert (credentials.access_key, credentials.token) == ("AKIA", "t")
    assert entered[2].region_name == "us-east-1"


def test_the_callers_own_sessions_share_that_loader_once_clients_are_made_from_them() -> None:
    """A daemon cycle or a warm Lambda invocation opens a session of its own each time."""
    factories = [
        ClientFactory(boto3.Session(region_name="us-east-1"), ApiCallCounter()) for _ in "ab"
    ]
    loaders = {id(f.session._session.get_component("data_loader")) for f in factories}
    entered = assume(FakeClients(), "us-east-1", ROLE, None)  # type: ignore[arg-type]
    assert loaders == {id(entered._session.get_component("data_loader"))}

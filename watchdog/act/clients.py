"""Clients for the account and region a resource lives in.

Acting happens where the resource is: the caller's own account, or a member account entered
through its role. Each account is entered once per run and its clients are cached, like the
inventory's shards.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

import boto3

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.scope import Scope, assume, caller_account


class Clients(Protocol):
    def client(self, service: str, account: str, region: str) -> Any:
        """A boto3 client for `service` in `account` and `region`."""


class SessionClients:
    """Clients from one boto3 session; other accounts are entered through the role `roles`
    names for them (WATCHDOG_ACCOUNTS' role ARNs), else through `member_role`."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        counter: ApiCallCounter | None = None,
        member_role: str | None = None,
        external_id: str | None = None,
        roles: Mapping[str, str] | None = None,
    ) -> None:
        self.counter = counter or ApiCallCounter()
        self._base = session or boto3.Session()
        self._home = self._base.region_name or "us-east-1"
        self._member_role = member_role
        self._roles = dict(roles or {})
        self._external_id = external_id
        self._lock = threading.Lock()
        self._own: tuple[str, ClientFactory] | None = None
        self._members: dict[str, ClientFactory] = {}

    def client(self, service: str, account: str, region: str) -> Any:
        return self._factory(account).client(service, region)

    @property
    def own_account(self) -> str:
        return self._own_factory()[0]

    def _own_factory(self) -> tuple[str, ClientFactory]:
        with self._lock:
            if self._own is None:
                self._own = caller_account(self._base, self.counter)
            return self._own

    def _factory(self, account: str) -> ClientFactory:
        own_account, own = self._own_factory()
        if account == own_account:
            return own
        with self._lock:
            if account not in self._members:
                role = self._roles.get(account)
                if role is None and not self._member_role:
                    raise PermissionError(
                        f"account {account} is not the caller's ({own_account}) and no member "
                        "role is set (WATCHDOG_MEMBER_ROLE)"
                    )
                if role is None:
                    partition = own.partition(self._home)
                    role = f"arn:{partition}:iam::{account}:role/{self._member_role}"
                entered = assume(own, self._home, role, self._external_id)
                self._members[account] = ClientFactory(entered, self.counter)
            return self._members[account]


class ScopeClients:
    """Clients from a run's scope: the accounts the scan entered, entered once."""

    def __init__(self, scope: Scope) -> None:
        self._by_account = {shard.account_id: shard.clients for shard in scope.shards}
        self._home = scope.home
        self._own = scope.account_id

    def client(self, service: str, account: str, region: str) -> Any:
        factory = self._by_account.get(account)
        if factory is None:
            if account != self._own:
                raise PermissionError(f"account {account} is not in this run's scope")
            factory = self._home
        return factory.client(service, region)

"""Organizations as AWS answers it: `ListAccounts` from an account in no organization raises
AWSOrganizationsNotInUseException (Organizations API reference, ListAccounts, Errors: "Your
account isn't a member of an organization"). moto answers an empty list, so a watchdog told to
scan `organization` from the wrong account would scan nothing and say nothing.

An account's `Status` is gone from AWS's answers since 9 September 2026 (botocore's model for
`Account.Status`: retired, use `State`), so the sandbox's accounts carry `State` only: code that
still read `Status` would meet here what it meets on AWS."""

from __future__ import annotations

import functools
from typing import Any

from moto.organizations.exceptions import AWSOrganizationsNotInUseException
from moto.organizations.models import FakeAccount, OrganizationsBackend, organizations_backends

_MARK = "_watchdog_sandbox_in_use_check"


def install() -> None:
    original = OrganizationsBackend.list_accounts
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def list_accounts(self: OrganizationsBackend, *args: Any, **kwargs: Any) -> Any:
        in_use = self.org is not None or self.account_id in organizations_backends.master_accounts
        if not in_use:
            raise AWSOrganizationsNotInUseException
        return original(self, *args, **kwargs)

    setattr(list_accounts, _MARK, True)
    setattr(OrganizationsBackend, "list_accounts", list_accounts)  # noqa: B010 - moto typed it
    _retire_status()


def _retire_status() -> None:
    original = FakeAccount.describe

    @functools.wraps(original)
    def describe(self: FakeAccount) -> dict[str, Any]:
        described = dict(original(self))
        described.pop("Status", None)
        return described

    setattr(FakeAccount, "describe", describe)  # noqa: B010 - moto typed it

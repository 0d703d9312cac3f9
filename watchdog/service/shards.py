"""Fanning a cycle out over (account, region) shards, for organizations that outgrow one
Lambda invocation: a Step Functions Distributed Map asks for the shards, runs one invocation
per shard (scan, plan, act on what is approved there, no Slack yet), then asks for one
notification covering every shard (posts for findings seen since the fan-out started).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from watchdog.aws.scope import ScopeError, named_roles, role_arn
from watchdog.inventory import ScanRequest, open_scope
from watchdog.notify.options import NotifyResult
from watchdog.service.channels import tell_channels
from watchdog.service.context import Service
from watchdog.service.cycle import CycleResult, run_cycle
from watchdog.service.notices import tell_owners


def list_shards(service: Service) -> tuple[list[dict[str, str]], list[str]]:
    """Every (account, region) the settings reach, and why any account could not be entered."""
    scope = open_scope(ScanRequest.from_settings(service.settings), service.session)
    shards = [{"account": s.account_id, "region": s.region} for s in scope.shards]
    return shards, [f"{e.account} {e.region}: {e.error}" for e in scope.errors]


def shard_service(service: Service, account: str, region: str, own_account: str) -> Service:
    """The service narrowed to one shard: that account (through its role) and that region."""
    settings = service.settings
    accounts = "current" if account == own_account else _role_for(service, account)
    narrowed = settings.model_copy(update={"accounts": accounts, "regions": region})
    return replace(service, settings=narrowed)


def run_shard(
    service: Service, account: str, region: str, own_account: str, deadline: datetime | None
) -> CycleResult:
    """One shard's cycle; Slack waits for `notify_all`, so the organization hears once."""
    return run_cycle(shard_service(service, account, region, own_account), deadline, announce=False)


def notify_all(service: Service, started_at: datetime) -> NotifyResult | None:
    """Post every finding the shards saw since `started_at` that has no message yet, and edit
    the messages whose findings moved on; the other channels are told the same."""
    tell_channels(service, seen_since=started_at)
    if service.sender is None:
        return None
    from watchdog.notify.notifier import notify  # slack_sdk: only with Slack configured

    now = service.clock.now()
    sent = notify(service.store, service.sender, service.notify_options, now, seen_since=started_at)
    tell_owners(service, f"notify-{started_at:%Y%m%dT%H%M%S}")
    return sent


def _role_for(service: Service, account: str) -> str:
    settings = service.settings
    named = named_roles(settings.accounts, settings.member_role).get(account)
    if named is not None:
        return named
    if not settings.member_role:
        raise ScopeError(f"account {account} has no role to enter (set WATCHDOG_MEMBER_ROLE)")
    return role_arn(account, settings.member_role)

"""Where each recorded finding stands, from the store alone: who it waits on (its owner), who
approved it and until when the approval or a snooze holds. No AWS call and no plan, so it
answers at once and from anywhere the store can be read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict

from watchdog.store.base import FindingState, Store, StoredFinding

# What a person still has to look at; done, cancelled and resolved findings are history.
OPEN_STATES: frozenset[str] = frozenset({"open", "approved", "executing", "snoozed", "parked"})
ALL_STATES: tuple[str, ...] = FindingState.__args__  # type: ignore[attr-defined]


class FindingView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    state: FindingState
    detail: str
    action: str
    policy: str
    kind: str
    name: str
    resource_arn: str
    account: str
    region: str
    owner: str | None
    monthly_cost_usd: float | None
    # A pending (unused, unexpired) approval's approver; or, with no expiry, the tags that
    # approve a park ("tag:watchdog:schedule=office-hours").
    approved_by: str | None = None
    approval_expires_at: AwareDatetime | None = None
    snoozed_until: AwareDatetime | None = None
    last_seen: AwareDatetime


def finding_views(store: Store, states: Iterable[str], now: datetime) -> list[FindingView]:
    """The findings in `states`, most expensive first (what to look at first)."""
    views = [_view(store, stored, now) for stored in store.list_findings(set(states))]
    return sorted(views, key=lambda v: (-(v.monthly_cost_usd or 0.0), v.id))


def _view(store: Store, stored: StoredFinding, now: datetime) -> FindingView:
    finding = stored.finding
    approval = None
    if finding.action in ("stop", "delete"):
        approval = store.pending_approval(finding.id, finding.action, now)
    return FindingView(
        id=finding.id,
        state=stored.state,
        detail=stored.state_detail,
        action=finding.action,
        policy=finding.policy,
        kind=finding.resource.kind,
        name=finding.resource.name,
        resource_arn=finding.resource.arn,
        account=finding.resource.account,
        region=finding.resource.region,
        owner=finding.owner,
        monthly_cost_usd=finding.monthly_cost_usd,
        approved_by=approval.approver if approval else finding.tag_approver,
        approval_expires_at=approval.expires_at if approval else None,
        snoozed_until=stored.state_until if stored.state == "snoozed" else None,
        last_seen=stored.last_seen,
    )

"""The savings report: what the open findings put at stake now, what the watchdog's teardowns
and parkings have saved, day by day, the biggest offenders and who each waiting finding waits
on. Built from the store's findings and audit log and a time alone (pure: no AWS, no clock), so
`ai-watchdog report`, the daemon and the Lambda say the same.

Saved money is real money only: a teardown saves its resource's monthly cost, per hour, from
the moment AWS confirmed it until now (or until `ai-watchdog restore` brought it back); a
parking saves for the hours it lasted (act/parking/savings.py). Each is priced at what the
resource cost when it was acted on, and counted only inside the report's window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from watchdog.act.parking import NO_TEAM, TEAM_TAG, parked_spells, team_of
from watchdog.findings import Finding
from watchdog.signals.models import HOURS_PER_MONTH
from watchdog.store.base import AuditEntry, StoredFinding

# A finding in these states still stands: its resource runs (or is parked) and bills.
STANDING = frozenset({"open", "approved", "executing", "snoozed", "parked"})
ACTING = frozenset({"stop", "delete", "park"})
TOP = 10
DIMENSIONS = ("team", "account", "kind", "policy")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Row(_Frozen):
    name: str
    usd: float
    count: int


class Offender(_Frozen):
    finding_id: str
    resource_name: str
    kind: str
    account: str
    region: str
    team: str
    policy: str
    action: str
    state: str
    monthly_cost_usd: float | None
    first_seen: AwareDatetime


class Waiting(_Frozen):
    finding_id: str
    resource_name: str
    kind: str
    action: str
    waiting_on: str
    since: AwareDatetime
    monthly_savings_usd: float


class DaySaved(_Frozen):
    day: date
    usd: float
    cumulative_usd: float


class SavingsReport(_Frozen):
    generated_at: AwareDatetime
    since: AwareDatetime
    # Standing findings: what their resources cost a month (each resource once), and what
    # carrying out each one's action would save a month; a resource whose cost is unknown is
    # counted (`unpriced`), not guessed.
    at_stake_usd: float
    could_save_usd: float
    standing: int
    resources: int
    unpriced: int
    at_stake_by: dict[str, list[Row]]
    saved_usd: float
    saved_by_teardown_usd: float
    saved_by_parking_usd: float
    saved_by_team: list[Row]
    trend: list[DaySaved]
    top_offenders: list[Offender]
    waiting: list[Waiting]


@dataclass(frozen=True)
class _Spell:
    """A stretch of time a resource did not bill because of the watchdog."""

    start: datetime
    end: datetime
    monthly_usd: float
    team: str
    parking: bool

    def saved(self, start: datetime, end: datetime) -> float:
        hours = (min(self.end, end) - max(self.start, start)).total_seconds() / 3600
        return self.monthly_usd * max(0.0, hours) / HOURS_PER_MONTH


def build_report(
    findings: Sequence[StoredFinding], audit: Sequence[AuditEntry], now: datetime, since: datetime
) -> SavingsReport:
    standing = [s for s in findings if s.state in STANDING]
    # A resource two policies flag bills once: totals and every breakdown but the policies'
    # count it once, by its costliest finding.
    resources = list({s.finding.resource.arn: s for s in reversed(_costliest(standing))}.values())
    spells = _spells(audit, now)
    in_window = [(spell, spell.saved(since, now)) for spell in spells]
    return SavingsReport(
        generated_at=now,
        since=since,
        at_stake_usd=sum(s.finding.monthly_cost_usd or 0.0 for s in resources),
        could_save_usd=sum(_most_saved(standing).values()),
        standing=len(standing),
        resources=len(resources),
        unpriced=sum(1 for s in resources if s.finding.monthly_cost_usd is None),
        at_stake_by={
            name: _rows(standing if name == "policy" else resources, _DIMENSION[name])
            for name in DIMENSIONS
        },
        saved_usd=sum(usd for _, usd in in_window),
        saved_by_teardown_usd=sum(usd for spell, usd in in_window if not spell.parking),
        saved_by_parking_usd=sum(usd for spell, usd in in_window if spell.parking),
        saved_by_team=_team_rows(in_window),
        trend=_trend(spells, since, now),
        top_offenders=[_offender(s) for s in _costliest(resources)[:TOP]],
        waiting=[w for s in standing if (w := _waiting(s)) is not None],
    )


def _most_saved(standing: Iterable[StoredFinding]) -> dict[str, float]:
    """Per resource, what its most saving finding's action would save a month."""
    most: dict[str, float] = {}
    for stored in standing:
        arn = stored.finding.resource.arn
        most[arn] = max(most.get(arn, 0.0), stored.finding.monthly_savings_usd())
    return most


def team(finding: Finding) -> str:
    return finding.resource.tags.get(TEAM_TAG) or NO_TEAM


_DIMENSION: dict[str, Callable[[Finding], str]] = {
    "team": team,
    "account": lambda f: f.resource.account,
    "kind": lambda f: f.resource.kind,
    "policy": lambda f: f.policy,
}


def _rows(standing: Iterable[StoredFinding], key: Callable[[Finding], str]) -> list[Row]:
    return _totals((key(s.finding), s.finding.monthly_cost_usd or 0.0) for s in standing)


def _team_rows(in_window: Iterable[tuple[_Spell, float]]) -> list[Row]:
    return _totals((spell.team, saved) for spell, saved in in_window)


def _totals(pairs: Iterable[tuple[str, float]]) -> list[Row]:
    """(name, usd) pairs summed and counted by name, the most first."""
    usd: dict[str, float] = {}
    count: dict[str, int] = {}
    for name, amount in pairs:
        usd[name] = usd.get(name, 0.0) + amount
        count[name] = count.get(name, 0) + 1
    rows = [Row(name=name, usd=usd[name], count=count[name]) for name in usd]
    return sorted(rows, key=lambda r: (-r.usd, r.name))


def _spells(audit: Sequence[AuditEntry], now: datetime) -> list[_Spell]:
    """Every teardown's and parking's spell without its bill, up to its restore or `now`."""
    restored: dict[str, list[datetime]] = {}
    for entry in audit:
        if entry.outcome == "restored":
            restored.setdefault(entry.finding_id, []).append(entry.at)
    spells = []
    for entry in audit:
        if entry.outcome != "done" or entry.monthly_cost_saved_usd is None:
            continue
        later = [at for at in restored.get(entry.finding_id, []) if at >= entry.at]
        end = min(later, default=now)
        spells.append(_Spell(entry.at, end, entry.monthly_cost_saved_usd, team_of(entry), False))
    for parked in parked_spells(audit):
        if parked.monthly_cost_usd is None:
            continue
        end = parked.resumed_at or now
        spells.append(_Spell(parked.parked_at, end, parked.monthly_cost_usd, parked.team, True))
    return spells


def _trend(spells: Sequence[_Spell], since: datetime, now: datetime) -> list[DaySaved]:
    """What was saved each day of the window (UTC days), and the running total."""
    days, cumulative = [], 0.0
    day = since.astimezone(UTC).date()
    while day <= now.astimezone(UTC).date():
        midnight = datetime.combine(day, time(), tzinfo=UTC)
        start, end = max(since, midnight), min(now, midnight + timedelta(days=1))
        usd = sum(spell.saved(start, end) for spell in spells)
        cumulative += usd
        days.append(DaySaved(day=day, usd=usd, cumulative_usd=cumulative))
        day += timedelta(days=1)
    return days


def _costliest(standing: Sequence[StoredFinding]) -> list[StoredFinding]:
    return sorted(
        standing,
        key=lambda s: (-(s.finding.monthly_cost_usd or 0.0), s.finding.resource.arn, s.finding.id),
    )


def _offender(stored: StoredFinding) -> Offender:
    finding = stored.finding
    return Offender(
        finding_id=finding.id,
        resource_name=finding.resource.name,
        kind=finding.resource.kind,
        account=finding.resource.account,
        region=finding.resource.region,
        team=team(finding),
        policy=finding.policy,
        action=finding.action,
        state=stored.state,
        monthly_cost_usd=finding.monthly_cost_usd,
        first_seen=stored.first_seen,
    )


def _waiting(stored: StoredFinding) -> Waiting | None:
    """A finding whose action waits on a person: its owner (or, with none, an approver)."""
    finding = stored.finding
    if stored.state != "open" or finding.action not in ACTING or finding.approval != "required":
        return None
    if finding.tag_approver is not None:
        return None  # its tags approve it: it waits on nobody
    return Waiting(
        finding_id=finding.id,
        resource_name=finding.resource.name,
        kind=finding.resource.kind,
        action=finding.action,
        waiting_on=finding.owner or "an approver (no owner on the resource or policy)",
        since=stored.first_seen,
        monthly_savings_usd=finding.monthly_savings_usd(),
    )

"""What parking saved: each parked spell (an occurrence's park to its resume, or to now while
still parked), priced at what the resource cost a month when it was parked.

Read from the audit log alone, so `ai-watchdog audit`, the daemon's /metrics and the Lambda say
the same: a spell is the done park entry of an occurrence that the watchdog made itself (not
one AWS already showed stopped), and the done resume entry of the same occurrence, if any.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from watchdog.kinds import BY_KIND
from watchdog.kinds._park import all_ways
from watchdog.signals.models import HOURS_PER_MONTH
from watchdog.store.base import AuditEntry

# The tag whose value names a resource's team: the cost-allocation key budgets default to
# (settings' WATCHDOG_CE_TAG_KEYS), read off the tags the park recorded.
TEAM_TAG = "team"
NO_TEAM = "(no team tag)"
# An occurrence's step id: the plan's step id, then the minute the occurrence began (flow.py).
OCCURRENCE_STEP = re.compile(r"^(?P<step>s-[0-9a-f]{12})-(?P<key>\d{8}T\d{4}Z)$")


def occurrence_step_id(step_id: str, key: str) -> str:
    return f"{step_id}-{key}"


@dataclass(frozen=True)
class ParkedSpell:
    finding_id: str
    target_arn: str
    account: str
    region: str
    occurrence: str
    parked_at: datetime
    resumed_at: datetime | None
    monthly_cost_usd: float | None
    team: str = NO_TEAM

    def hours(self, now: datetime) -> float:
        end = self.resumed_at or now
        return max(0.0, (end - self.parked_at).total_seconds() / 3600)

    def saved_usd(self, now: datetime) -> float | None:
        if self.monthly_cost_usd is None:
            return None
        return self.monthly_cost_usd * self.hours(now) / HOURS_PER_MONTH


def _role(entry: AuditEntry) -> tuple[str, str] | None:
    """("park" | "resume", occurrence) for an occurrence's done entry, else None."""
    match = OCCURRENCE_STEP.match(entry.step_id or "")
    if match is None or entry.outcome != "done":
        return None
    for spec in BY_KIND.values():
        for way in all_ways(spec.park):
            if entry.op in (way.park.step_op, way.resume.step_op):
                return ("park" if entry.op == way.park.step_op else "resume"), match["key"]
    return None


def parked_spells(entries: Iterable[AuditEntry]) -> list[ParkedSpell]:
    """Every spell the entries record, oldest first."""
    parks: dict[tuple[str, str], AuditEntry] = {}
    resumes: dict[tuple[str, str], AuditEntry] = {}
    for entry in entries:
        role = _role(entry)
        if role is None or (role[0] == "park" and entry.unchanged):
            continue
        found = parks if role[0] == "park" else resumes
        found[(entry.finding_id, role[1])] = entry
    spells = []
    for key, park in parks.items():
        resume = resumes.get(key)
        spells.append(
            ParkedSpell(
                finding_id=park.finding_id,
                target_arn=park.target_arn,
                account=park.account,
                region=park.region,
                occurrence=key[1],
                parked_at=park.at,
                resumed_at=resume.at if resume is not None else None,
                monthly_cost_usd=park.parked_monthly_cost_usd,
                team=team_of(park),
            )
        )
    return sorted(spells, key=lambda s: (s.parked_at, s.target_arn))


def team_of(entry: AuditEntry) -> str:
    """The team tag of the resource an audit entry describes (as the call found it)."""
    tags = entry.description.get("tags") or {}
    team = tags.get(TEAM_TAG) if isinstance(tags, dict) else None
    return str(team) if team else NO_TEAM


@dataclass(frozen=True)
class ParkingTotal:
    """What parking saved in the window: its spells, their hours and what those cost, in all
    and by team."""

    spells: int
    hours: float
    saved_usd: float
    unpriced: int  # spells of resources with no price: their hours are counted, not priced
    saved_by_team: tuple[tuple[str, float], ...] = ()  # the most saved first

    @classmethod
    def of(cls, entries: Sequence[AuditEntry], now: datetime) -> ParkingTotal | None:
        spells = parked_spells(entries)
        if not spells:
            return None
        saved = [s.saved_usd(now) for s in spells]
        by_team: dict[str, float] = {}
        for spell, usd in zip(spells, saved, strict=True):
            by_team[spell.team] = by_team.get(spell.team, 0.0) + (usd or 0.0)
        return cls(
            spells=len(spells),
            hours=sum(s.hours(now) for s in spells),
            saved_usd=sum(v for v in saved if v is not None),
            unpriced=sum(1 for v in saved if v is None),
            saved_by_team=tuple(sorted(by_team.items(), key=lambda kv: (-kv[1], kv[0]))),
        )

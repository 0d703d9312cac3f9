"""The weekly digest: the savings report's headline numbers, for the people who fund the
watchdog, on every channel, with a link to the whole report. Channel-neutral: each channel
renders the same `Digest` its own way (Slack blocks, an Adaptive Card, an email, an event).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from watchdog.report.model import SavingsReport

WEEK = timedelta(days=7)
TOP = 3


class DigestLine(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    kind: str
    where: str  # "account region"
    monthly_cost_usd: float | None
    owner: str  # its team, or who the finding waits on


class Digest(BaseModel):
    """What one week's digest says. `period` ("2026-W49") names it: one per period."""

    model_config = ConfigDict(frozen=True)

    period: str
    generated_at: AwareDatetime
    at_stake_usd: float
    could_save_usd: float
    resources: int
    unpriced: int
    saved_week_usd: float
    saved_by_teardown_usd: float
    saved_by_parking_usd: float
    waiting: int
    waiting_usd: float  # what the waiting findings' actions would save a month
    top: list[DigestLine]
    report_url: str | None = None
    link_expires: AwareDatetime | None = None  # None with a link: it lasts as S3 lets it

    @property
    def headline(self) -> str:
        return (
            f"AI cost watchdog, week {self.period}: ${self.at_stake_usd:,.0f}/month at stake, "
            f"${self.saved_week_usd:,.0f} saved this week"
        )

    def top_lines(self) -> list[str]:
        return [_line(line) for line in self.top]

    def lines(self) -> list[str]:
        """The digest as plain lines: email text, a webhook's summary, any channel's fallback."""
        out = [
            self.headline,
            f"At stake now: ${self.at_stake_usd:,.2f}/month over {self.resources} resources"
            + (f" ({self.unpriced} of unknown cost)" if self.unpriced else ""),
            f"Acting on every finding would save ${self.could_save_usd:,.2f}/month",
            f"Saved in the last 7 days: ${self.saved_week_usd:,.2f} "
            f"(teardowns ${self.saved_by_teardown_usd:,.2f}, parking "
            f"${self.saved_by_parking_usd:,.2f})",
            f"Waiting on an answer: {self.waiting} findings, "
            f"${self.waiting_usd:,.2f}/month to save",
        ]
        if self.top:
            out.append("Costliest now:")
            out += [f"  {line}" for line in self.top_lines()]
        if self.report_url:
            until = f" (until {self.link_expires:%Y-%m-%d %H:%M} UTC)" if self.link_expires else ""
            out.append(f"The whole report{until}: {self.report_url}")
        return out


def period_of(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def build_digest(
    report: SavingsReport,
    now: datetime,
    report_url: str | None = None,
    link_expires: datetime | None = None,
) -> Digest:
    """`report` covers the last week (its `since` is a week before `now`)."""
    return Digest(
        period=period_of(now),
        generated_at=now,
        at_stake_usd=report.at_stake_usd,
        could_save_usd=report.could_save_usd,
        resources=report.resources,
        unpriced=report.unpriced,
        saved_week_usd=report.saved_usd,
        saved_by_teardown_usd=report.saved_by_teardown_usd,
        saved_by_parking_usd=report.saved_by_parking_usd,
        waiting=len(report.waiting),
        waiting_usd=sum(w.monthly_savings_usd for w in report.waiting),
        top=[
            DigestLine(
                name=o.resource_name,
                kind=o.kind,
                where=f"{o.account} {o.region}",
                monthly_cost_usd=o.monthly_cost_usd,
                owner=o.team,
            )
            for o in report.top_offenders[:TOP]
        ],
        report_url=report_url,
        link_expires=link_expires,
    )


def _line(line: DigestLine) -> str:
    cost = (
        "cost unknown" if line.monthly_cost_usd is None else f"${line.monthly_cost_usd:,.2f}/month"
    )
    return f"{line.kind} {line.name} ({line.where}, {line.owner}): {cost}"

"""One recipient's digest as an email: a subject, a plain-text part and an HTML part. Pure.

The facts are the Slack alert's (blocks.py): the resource, its account and region, the
evidence, the monthly cost and the action, and once a finding has moved on, the state, who
and when in Slack's words (deliver.status_line, without its emoji and mentions). The HTML is
one column of inline-styled boxes, readable on a phone, with no images, scripts or styles
from elsewhere. Every text that did not come from this program (names, owners, reasons,
policy names, who approved) passes through `html.escape` in the HTML part; links are the
signed ones this program made.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from watchdog.findings import Finding
from watchdog.notify.facts import STATE_WORDS, evidence_parts
from watchdog.notify.outbound import ESCALATED, REMINDER, Change
from watchdog.notify.weekly import Digest
from watchdog.store.base import StoredFinding
from watchdog.words import plural

_VERBS = {"delete": "Delete", "stop": "Stop", "notify": "Heads-up", "park": "Park"}
WAITING = frozenset({"open", REMINDER, ESCALATED})  # stages still waiting for an answer
FOOTER = (
    "Sent by ai-cost-watchdog. Each link is signed for one finding and expires; opening it "
    "shows a page and changes nothing until you confirm there."
)


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Shown:
    """What one change shows, as plain text (the HTML part escapes it)."""

    stage: str
    headline: str
    cost: str
    facts: tuple[tuple[str, str], ...]
    evidence: str
    links: tuple[tuple[str, str], ...]  # (label, url)


def money(value: float | None) -> str:
    return "cost unknown" if value is None else f"${value:,.2f}/month"


def state_line(stored: StoredFinding) -> str:
    """The state, who and when, as Slack's status line says them."""
    head = STATE_WORDS.get(stored.state, stored.state)
    when = f"{stored.state_changed_at:%Y-%m-%d %H:%M} UTC"
    if stored.state == "snoozed" and stored.state_until is not None:
        when += f", until {stored.state_until:%Y-%m-%d %H:%M} UTC"
    detail = stored.state_detail
    return f"{head} - {detail} - {when}" if detail else f"{head} - {when}"


def subject(changes: Sequence[Change]) -> str:
    """`3 idle AI resources, $1,234/month at stake`, or what moved on when nothing waits."""
    waiting = [c for c in changes if c.stage in WAITING]
    others = len(changes) - len(waiting)
    if not waiting:
        counts: dict[str, int] = {}
        for change in changes:
            word = STATE_WORDS.get(change.stage, change.stage).lower()
            counts[word] = counts.get(word, 0) + 1
        told = ", ".join(f"{n} {word}" for word, n in counts.items())
        return f"AI cost watchdog: {plural(len(changes), 'update')} ({told})"
    costs = [c.stored.finding.monthly_cost_usd for c in waiting]
    known = [c for c in costs if c is not None]
    stake = f"${sum(known):,.0f}/month at stake" if known else "cost unknown"
    text = f"{plural(len(waiting), 'idle AI resource')}, {stake}"
    if any(c.stage == ESCALATED for c in waiting):
        text = f"Escalated: {text}"
    elif all(c.stage == REMINDER for c in waiting):
        text = f"Reminder: {text}"
    return f"{text} (+{plural(others, 'update')})" if others else text


def shown(change: Change, now: datetime) -> Shown:
    finding = change.stored.finding
    resource = finding.resource
    facts = [
        ("Account", resource.account),
        ("Region", resource.region),
        ("Owner", finding.owner or "none"),
        ("Policy", finding.policy),
        ("Confidence", f"{finding.confidence} ({finding.cost_basis})"),
    ]
    if finding.park is not None:
        park = finding.park
        back = "on demand" if park.resume == "on-demand" else park.resume
        saves = money(finding.monthly_savings_usd())
        facts.append(
            ("Office hours", f"parked {park.at}, back {back} ({park.timezone}): saves {saves}")
        )
    if finding.approved_by_tags is not None:
        facts.append(("Approved", f"by its tags {finding.approved_by_tags}"))
    return Shown(
        stage=_stage(change, now),
        headline=f"{_VERBS.get(finding.action, finding.action)}: {resource.kind} {resource.name}",
        cost=money(finding.monthly_cost_usd),
        facts=tuple(facts),
        evidence=_evidence(finding),
        links=_links(change),
    )


def _stage(change: Change, now: datetime) -> str:
    stored = change.stored
    waited = plural((now - stored.state_changed_at).days, "day")
    if change.stage == REMINDER:
        return f"Reminder - waiting {waited} for an answer"
    if change.stage == ESCALATED:
        return f"Escalated - no answer from {stored.finding.owner or 'its owner'} in {waited}"
    if change.stage == "open":
        return "New" if change.new else "Open again"
    return state_line(stored)


def _evidence(finding: Finding) -> str:
    return " | ".join(evidence_parts(finding, str))


def _links(change: Change) -> tuple[tuple[str, str], ...]:
    finding = change.stored.finding
    links = []
    approvable = finding.action != "notify" and finding.approved_by_tags is None
    if change.review_url and change.stage in WAITING and approvable:
        links.append((f"Review and approve {finding.action}", change.review_url))
    if change.resume_url and change.stored.state == "parked":
        links.append(("Resume now", change.resume_url))
    return tuple(links)


def digest(changes: Sequence[Change], now: datetime) -> Email:
    """One email telling `changes`: the subject, then each change in its box."""
    title = subject(changes)
    parts = [shown(change, now) for change in changes]
    return Email(subject=title, text=_text(title, parts), html=_html(title, parts))


def _text(title: str, parts: Sequence[Shown]) -> str:
    lines = [title, ""]
    for part in parts:
        lines += [f"[{part.stage}] {part.headline} - {part.cost}"]
        lines += [f"  {label}: {value}" for label, value in part.facts]
        lines += [f"  {part.evidence}"]
        lines += [f"  {label}: {url}" for label, url in part.links]
        lines.append("")
    return "\n".join([*lines, FOOTER, ""])


_BODY = (
    "max-width:600px;margin:0 auto;padding:16px;font-family:-apple-system,'Segoe UI',"
    "Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#18181b"
)
_BOX = "background:#ffffff;border:1px solid #e4e4e7;border-radius:8px;padding:16px;margin:0 0 16px"
_BUTTON = (
    "display:inline-block;background:#b91c1c;color:#ffffff;padding:10px 16px;border-radius:6px;"
    "text-decoration:none;font-weight:bold;margin:4px 8px 0 0"
)


def _html(title: str, parts: Sequence[Shown]) -> str:
    e = html.escape
    boxes = "".join(_box(part) for part in parts)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title></head>"
        '<body style="margin:0;padding:0;background:#f4f4f5">'
        f'<div style="{_BODY}">'
        f'<h1 style="font-size:20px;margin:0 0 16px">{e(title)}</h1>{boxes}'
        f'<p style="font-size:12px;color:#71717a">{e(FOOTER)}</p>'
        "</div></body></html>"
    )


def _box(part: Shown) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><td style="padding:2px 12px 2px 0;color:#52525b;vertical-align:top">{e(label)}'
        f'</td><td style="padding:2px 0;word-break:break-word">{e(value)}</td></tr>'
        for label, value in part.facts
    )
    links = "".join(
        f'<a href="{e(url, quote=True)}" style="{_BUTTON}">{e(label)}</a>'
        for label, url in part.links
    )
    return (
        f'<div style="{_BOX}">'
        f'<p style="margin:0 0 4px;font-size:13px;color:#52525b">{e(part.stage)}</p>'
        f'<h2 style="font-size:17px;margin:0 0 4px;word-break:break-word">{e(part.headline)}</h2>'
        f'<p style="margin:0 0 8px;font-size:18px;font-weight:bold">{e(part.cost)}</p>'
        f'<table role="presentation" style="border-collapse:collapse;font-size:14px">{rows}</table>'
        f'<p style="margin:8px 0 0;font-size:14px;color:#3f3f46;word-break:break-word">'
        f"{e(part.evidence)}</p>"
        + (f'<p style="margin:8px 0 0">{links}</p>' if links else "")
        + "</div>"
    )


def weekly(report: Digest) -> Email:
    """The weekly digest: its headline as the subject, its lines, the report's link."""
    e = html.escape
    lines = report.lines()
    rows = "".join(
        f'<p style="margin:0 0 6px;word-break:break-word">{e(line)}</p>' for line in lines[1:]
    )
    link = (
        f'<p><a href="{e(report.report_url, quote=True)}" style="{_BUTTON}">Open the report</a></p>'
        if report.report_url
        else ""
    )
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(report.headline)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f4f4f5"><div style="{_BODY}">'
        f'<h1 style="font-size:20px;margin:0 0 16px">{e(report.headline)}</h1>'
        f'<div style="{_BOX}">{rows}{link}</div></div></body></html>'
    )
    return Email(subject=report.headline, text="\n".join([*lines, ""]), html=page)

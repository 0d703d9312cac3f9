"""A finding's change as a Microsoft Teams message: one Adaptive Card in the envelope a Teams
workflow webhook takes. Pure: no I/O.

What Microsoft documents (Microsoft Learn, read 2026-12):

- Office 365 (now "Microsoft 365") connectors, and the incoming webhooks made with them, are
  being retired; a channel takes posts from a Workflows app workflow whose trigger is "When a
  Teams webhook request is received" (template "Post to a channel when a webhook request is
  received"). https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook
- The request body is a message whose attachments are Adaptive Cards: `{"type": "message",
  "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl":
  null, "content": {"$schema": ..., "type": "AdaptiveCard", "version": ..., "body": [...]}}]}`
  ("Send Adaptive Cards using an Incoming Webhook", .../how-to/connectors-using); the template
  posts each attachment's `content` as a card (a body without `attachments` fails the flow:
  MicrosoftDocs/msteams-docs issue 11302). A message is at most 28 KB.
- Teams renders Adaptive Cards up to version 1.5 ("Teams is also limited to version 1.5",
  https://learn.microsoft.com/en-us/microsoft-copilot-studio/guidance/adaptive-cards-overview).
  These cards declare 1.4: everything they use (TextBlock, FactSet, Action.OpenUrl) is 1.0,
  and 1.5 cards fail in places: "If the version is changed to 1.4, it displays fine", with a
  repro confirmed by Microsoft (MicrosoftDocs/msteams-docs issue 9801); Workflows webhooks
  "reject anything over adaptive card 1.4" (Skitionek/notify-microsoft-teams issue 107;
  atc0005/go-teams-notify PR 265).
- TextBlock text and a Fact's title and value are Markdown, a subset (`**bold**`, `_italic_`,
  `- ` and `1. ` lists, `[title](url)` links); HTML is not rendered ("Format cards in Microsoft
  Teams", https://learn.microsoft.com/en-us/microsoftteams/platform/task-modules-and-cards/cards/cards-format).
  So every text this program did not write (names, owners, reasons, who approved) passes
  through `markdown_text`, which backslash-escapes what Markdown would read (CommonMark escapes
  any ASCII punctuation) and folds line breaks, which would start lists.

Teams cannot approve: a card's Review button (Action.OpenUrl) opens the signed approval page,
where the one-rule authorization and the confirm form decide, as for every other link.
"""

from __future__ import annotations

import re
from typing import Any

from watchdog.findings import Finding
from watchdog.notify.facts import STATE_WORDS, evidence_parts
from watchdog.notify.outbound import ESCALATED, REMINDER, Change
from watchdog.notify.weekly import Digest
from watchdog.store.base import StoredFinding

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
CARD_VERSION = "1.4"

Json = dict[str, Any]

# What Markdown (CommonMark, and the subset Teams renders) reads as markup, anywhere in a line.
_SIGNIFICANT = re.compile(r"([\\`*_~\[\](){}<>#|!&])")
# What starts a list only at the start of a text: "- x", "+ x", "1. x".
_LIST_START = re.compile(r"^([-+]|\d+[.)])(?=\s|$)")
_VERBS = {"delete": "Delete", "stop": "Stop", "notify": "Heads-up", "park": "Park"}
_HEADS = {"open": "Open again: waiting for an answer", **STATE_WORDS}


def money(value: float | None) -> str:
    """As the Slack alert says it (blocks.money, which brings slack_sdk along: not here)."""
    return "cost unknown" if value is None else f"${value:,.2f}/month"


def markdown_text(text: str) -> str:
    """`text` as Teams shows it, never as markup: on one line, every Markdown character
    backslash-escaped."""
    flat = " ".join(text.split())
    escaped = _SIGNIFICANT.sub(r"\\\1", flat)
    return _LIST_START.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def teams_message(change: Change) -> Json:
    """The request body for one change: its card in the message envelope."""
    attachment = {"contentType": CONTENT_TYPE, "contentUrl": None, "content": change_card(change)}
    return {"type": "message", "attachments": [attachment]}


def change_card(change: Change) -> Json:
    """The first announcement carries every fact; a later change is a short card saying what
    happened, who and when, with the resource named."""
    finding = change.stored.finding
    if change.new:
        body = [_headline(finding), _facts(finding), _evidence(finding)]
        if change.stage != "open":
            body.append(_text(status_text(change), weight="Bolder"))
    else:
        body = [_text(status_text(change), weight="Bolder"), _text(_which(finding), subtle=True)]
    return _card(body, _actions(change))


def status_text(change: Change) -> str:
    """What a change says: "Approved - approved by ... - 2026-11-27 12:00 UTC", "Reminder:
    still waiting for an answer since ...", "Escalated: ..."."""
    stored = change.stored
    since = _when(stored)
    if change.stage == REMINDER:
        return f"Reminder: still waiting for an answer since {since}"
    if change.stage == ESCALATED:
        to = ", ".join(markdown_text(who) for who in change.escalate_to)
        return f"Escalated: still waiting for an answer since {since}" + (
            f"; escalated to {to}" if to else ""
        )
    head = _HEADS.get(stored.state, markdown_text(stored.state))
    if stored.state == "snoozed" and stored.state_until is not None:
        since += f", until {stored.state_until:%Y-%m-%d %H:%M} UTC"
    detail = markdown_text(stored.state_detail)
    return f"{head} - {detail} - {since}" if detail else f"{head} - {since}"


def _when(stored: StoredFinding) -> str:
    return f"{stored.state_changed_at:%Y-%m-%d %H:%M} UTC"


def _card(body: list[Json], actions: list[Json]) -> Json:
    card: Json = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": CARD_VERSION}
    card["body"] = body
    if actions:
        card["actions"] = actions
    card["msteams"] = {"width": "Full"}
    return card


def _text(text: str, *, weight: str | None = None, subtle: bool = False) -> Json:
    block: Json = {"type": "TextBlock", "text": text, "wrap": True}
    if weight is not None:
        block["weight"] = weight
    if subtle:
        block["isSubtle"] = True
    return block


def _headline(finding: Finding) -> Json:
    resource = finding.resource
    cost = money(finding.monthly_cost_usd)
    text = f"{_VERBS[finding.action]}: {resource.kind} {markdown_text(resource.name)} - {cost}"
    block = _text(text, weight="Bolder")
    block["size"] = "Medium"
    return block


def _which(finding: Finding) -> str:
    resource = finding.resource
    return (
        f"{_VERBS[finding.action]} {resource.kind} {markdown_text(resource.name)} "
        f"({resource.account} {resource.region}): {money(finding.monthly_cost_usd)} - "
        f"finding {finding.id}"
    )


def _facts(finding: Finding) -> Json:
    resource = finding.resource
    facts = [
        ("Resource", f"{resource.kind} {markdown_text(resource.name)}"),
        ("Account", resource.account),
        ("Region", resource.region),
        ("Monthly cost", money(finding.monthly_cost_usd)),
        ("Owner", markdown_text(finding.owner) if finding.owner else "nobody named"),
        ("Action", finding.action),
        ("Policy", markdown_text(finding.policy)),
        ("Confidence", f"{finding.confidence} ({finding.cost_basis})"),
    ]
    facts.extend(_park_facts(finding))
    return {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]}


def _park_facts(finding: Finding) -> list[tuple[str, str]]:
    facts = []
    if finding.park is not None:
        schedule = finding.park
        back = "on demand" if schedule.resume == "on-demand" else schedule.resume
        idle = finding.park_when_idle_hours
        between = f" and once idle {idle:g} h" if idle is not None else ""
        facts.append(
            (
                "Office hours",
                f"parked {markdown_text(schedule.at)}{between}, back {markdown_text(back)} "
                f"({markdown_text(schedule.timezone)}): saves "
                f"{money(finding.monthly_savings_usd())}",
            )
        )
    if finding.approved_by_tags is not None:
        facts.append(("Approved", f"by its tags {markdown_text(finding.approved_by_tags)}"))
    if finding.park is None and finding.park_when_idle_hours is not None:
        hours = finding.park_when_idle_hours
        facts.append(("Parks when idle", f"after {hours:g} h without a request, back on demand"))
    return facts


def _evidence(finding: Finding) -> Json:
    return _text(" \\| ".join(evidence_parts(finding, markdown_text)), subtle=True)


def _actions(change: Change) -> list[Json]:
    """Review while someone may still approve (the page approves, Teams cannot); Resume now
    for a parked finding. Links only: none without signed links configured."""
    finding = change.stored.finding
    actions = []
    waiting = finding.action != "notify" and finding.approved_by_tags is None
    if change.review_url and waiting:
        actions.append({"type": "Action.OpenUrl", "title": "Review", "url": change.review_url})
    if change.resume_url:
        actions.append({"type": "Action.OpenUrl", "title": "Resume now", "url": change.resume_url})
    return actions


def digest_message(digest: Digest) -> Json:
    """The weekly digest as one card: the headline numbers, the costliest, the report's link."""
    facts = [
        ("At stake now", f"${digest.at_stake_usd:,.2f}/month ({digest.resources} resources)"),
        ("Saved this week", f"${digest.saved_week_usd:,.2f}"),
        ("Could save", f"${digest.could_save_usd:,.2f}/month"),
        ("Waiting on an answer", f"{digest.waiting} (${digest.waiting_usd:,.2f}/month)"),
    ]
    body: list[Json] = [
        _text(markdown_text(digest.headline), weight="Bolder"),
        {"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]},
    ]
    body += [_text(markdown_text(line), subtle=True) for line in digest.top_lines()]
    actions = []
    if digest.report_url:
        actions.append(
            {"type": "Action.OpenUrl", "title": "Open the report", "url": digest.report_url}
        )
    attachment = {"contentType": CONTENT_TYPE, "contentUrl": None, "content": _card(body, actions)}
    return {"type": "message", "attachments": [attachment]}

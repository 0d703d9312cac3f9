"""A finding as a Slack message: Block Kit blocks built with slack_sdk's models, which check
Slack's limits (button text, confirm dialog lengths) as they are built. Pure: no I/O.

Buttons carry the finding id and action in their `value`, so the interactivity handler acts on
exactly what was shown. Approve is a danger button behind a confirm dialog; Snooze and Exempt
answer in place; Review opens the approval page (the same link webhook-mode messages carry,
since an incoming webhook cannot receive button clicks). A parked finding's message keeps one
button, Resume now, which brings the resource back before its schedule would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)

from watchdog.findings import Finding
from watchdog.notify.facts import evidence_parts
from watchdog.notify.mrkdwn import escape
from watchdog.words import plural

APPROVE, SNOOZE, EXEMPT, REVIEW, RESUME = "approve", "snooze", "exempt", "review", "resume"
EXEMPT_TAG = "watchdog:exempt=true"


@dataclass(frozen=True)
class Message:
    """What chat.postMessage (or a webhook) is sent: fallback text and the blocks."""

    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None  # a reply in that message's thread (bot only)


def finding_message(
    finding: Finding,
    *,
    review_url: str | None = None,
    owner_mention: str | None = None,
    interactive: bool = True,
    snooze_days: int = 7,
    status: str | None = None,
    resumable: bool = False,
    resume_url: str | None = None,
) -> Message:
    """The alert for one finding. `interactive` False (webhook mode): links, no buttons.
    `status` (who approved, snoozed or ran it, and when) replaces the buttons: the finding is
    no longer waiting for anyone."""
    blocks = finding_blocks(
        finding,
        review_url=review_url,
        owner_mention=owner_mention,
        interactive=interactive,
        snooze_days=snooze_days,
        status=status,
        resumable=resumable,
        resume_url=resume_url,
    )
    return Message(text=fallback_text(finding, status), blocks=[b.to_dict() for b in blocks])


def digest_message(channel_total: float, parts: list[list[Block]], count: int) -> Message:
    """Several findings in one message: a header, then each finding's blocks, divided."""
    header = SectionBlock(
        text=MarkdownTextObject(
            text=f"*AI cost watchdog: {plural(count, 'finding')}* - "
            f"*{money(channel_total)}* at stake"
        )
    )
    blocks: list[Block] = [header]
    for part in parts:
        blocks.append(DividerBlock())
        blocks.extend(part)
    text = f"AI cost watchdog: {count} findings, {money(channel_total)} at stake"
    return Message(text=text, blocks=[b.to_dict() for b in blocks])


def finding_blocks(
    finding: Finding,
    *,
    review_url: str | None,
    owner_mention: str | None,
    interactive: bool,
    snooze_days: int,
    status: str | None,
    resumable: bool = False,
    resume_url: str | None = None,
) -> list[Block]:
    """`resumable`: the finding is parked, and its message offers Resume now (a button, or
    without buttons `resume_url`, the signed link)."""
    blocks: list[Block] = [_headline(finding, owner_mention), _facts(finding), _evidence(finding)]
    if status is not None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=status)]))
        if resumable and interactive:
            button = ButtonElement(
                text="Resume now",
                action_id=RESUME,
                value=f"{finding.id}:{finding.action}",
                style="primary",
            )
            blocks.append(ActionsBlock(block_id=f"finding:{finding.id}", elements=[button]))
        elif resumable and resume_url:
            blocks.append(SectionBlock(text=MarkdownTextObject(text=f"<{resume_url}|Resume now>")))
    elif interactive:
        blocks.append(
            ActionsBlock(
                block_id=f"finding:{finding.id}",
                elements=_buttons(finding, review_url, snooze_days),
            )
        )
    elif review_url and finding.action != "notify" and finding.approved_by_tags is None:
        # Without buttons too: a park its tags approve has nothing left for anyone to approve.
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"<{review_url}|Review and approve>"))
        )
    return blocks


def money(value: float | None) -> str:
    return "cost unknown" if value is None else f"${value:,.2f}/month"


def fallback_text(finding: Finding, status: str | None = None) -> str:
    resource = finding.resource
    text = (
        f"{finding.action} {resource.kind} {escape(resource.name)} ({resource.account} "
        f"{resource.region}): {money(finding.monthly_cost_usd)}. {escape(finding.reason)}"
    )
    return f"{text} {status}" if status else text


def _headline(finding: Finding, owner_mention: str | None) -> SectionBlock:
    resource = finding.resource
    verb = {"delete": "Delete", "stop": "Stop", "notify": "Heads-up", "park": "Park"}[
        finding.action
    ]
    owner = f" - owner {owner_mention}" if owner_mention else ""
    cost = money(finding.monthly_cost_usd)
    text = f"*{verb}: {resource.kind} `{escape(resource.name)}`* - *{cost}*{owner}"
    return SectionBlock(text=MarkdownTextObject(text=text))


def _facts(finding: Finding) -> SectionBlock:
    resource = finding.resource
    facts = [
        f"*Account*\n{resource.account}",
        f"*Region*\n{resource.region}",
        f"*Policy*\n{escape(finding.policy)}",
        f"*Confidence*\n{finding.confidence} ({finding.cost_basis})",
    ]
    if finding.park is not None:
        schedule = finding.park
        back = "on demand" if schedule.resume == "on-demand" else f"`{schedule.resume}`"
        idle = finding.park_when_idle_hours
        between = f" and once idle {idle:g} h" if idle is not None else ""
        facts.append(
            f"*Office hours*\nparked `{schedule.at}`{between}, back {back} "
            f"({schedule.timezone}): saves {money(finding.monthly_savings_usd())}"
        )
    if finding.approved_by_tags is not None:
        facts.append(f"*Approved*\nby its tags `{escape(finding.approved_by_tags)}`")
    if finding.park is None and finding.park_when_idle_hours is not None:
        facts.append(
            f"*Parks when idle*\nafter {finding.park_when_idle_hours:g} h without a request, "
            "back on demand"
        )
    return SectionBlock(fields=[MarkdownTextObject(text=fact) for fact in facts])


def _evidence(finding: Finding) -> ContextBlock:
    text = " | ".join(evidence_parts(finding, escape))
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def _buttons(finding: Finding, review_url: str | None, snooze_days: int) -> list[ButtonElement]:
    value = f"{finding.id}:{finding.action}"
    buttons = []
    # Parked by its owner's own tags: already approved, nobody needs to press Approve.
    approved = finding.approved_by_tags is not None
    if finding.action != "notify" and not finding.blocked and not approved:
        buttons.append(
            ButtonElement(
                text=f"Approve {finding.action}",
                action_id=APPROVE,
                value=value,
                style="danger",
                confirm=ConfirmObject(
                    title=f"{finding.action.capitalize()} {finding.resource.name}?",
                    text=_confirm_text(finding),
                    confirm=f"Yes, {finding.action} it",
                    deny="Cancel",
                    style="danger",
                ),
            )
        )
    buttons.append(
        ButtonElement(
            text=f"Snooze {snooze_days} days", action_id=SNOOZE, value=f"{value}:{snooze_days}"
        )
    )
    buttons.append(
        ButtonElement(
            text="Exempt",
            action_id=EXEMPT,
            value=value,
            confirm=ConfirmObject(
                title="Exempt it for good?",
                text=f"Tags {escape(finding.resource.name)} {EXEMPT_TAG}: the watchdog never "
                "stops or deletes it again.",
                confirm="Exempt",
                deny="Cancel",
            ),
        )
    )
    if review_url:
        buttons.append(ButtonElement(text="Review", action_id=REVIEW, url=review_url))
    return buttons


def _confirm_text(finding: Finding) -> str:
    steps = len(finding.steps)
    text = (
        f"The watchdog will {finding.action} {finding.resource.kind} "
        f"{escape(finding.resource.name)} "
        f"({plural(steps, 'step')}), after checking it is unchanged and still idle."
    )
    return text[:300]

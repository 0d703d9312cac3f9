"""The weekly digest as a Slack message: the headline numbers and a link to the whole report.
A link, not a button: an incoming webhook carries it too, and opening it changes nothing."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from watchdog.notify.blocks import Message
from watchdog.notify.mrkdwn import escape
from watchdog.notify.weekly import Digest


def digest_slack_message(digest: Digest) -> Message:
    facts = [
        f"*At stake now*\n${digest.at_stake_usd:,.2f}/month ({digest.resources} resources)",
        f"*Saved this week*\n${digest.saved_week_usd:,.2f}",
        f"*Could save*\n${digest.could_save_usd:,.2f}/month",
        f"*Waiting on an answer*\n{digest.waiting} (${digest.waiting_usd:,.2f}/month)",
    ]
    blocks = [
        HeaderBlock(text=f"AI cost watchdog - week {digest.period}"),
        SectionBlock(fields=[MarkdownTextObject(text=f) for f in facts]),
    ]
    if digest.top:
        top = "\n".join(f"- {escape(line)}" for line in digest.top_lines())
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Costliest now*\n{top}")))
    if digest.report_url:
        until = f" (until {digest.link_expires:%Y-%m-%d %H:%M} UTC)" if digest.link_expires else ""
        link = f"<{digest.report_url}|Open the whole report>{until}"
        blocks.append(SectionBlock(text=MarkdownTextObject(text=link)))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"Teardowns ${digest.saved_by_teardown_usd:,.2f}, parking "
                    f"${digest.saved_by_parking_usd:,.2f} this week"
                    + (f"; {digest.unpriced} resources of unknown cost" if digest.unpriced else "")
                )
            ]
        )
    )
    return Message(text=escape(digest.headline), blocks=[b.to_dict() for b in blocks])

"""A Slack message in the terminal: its Block Kit blocks as plain text, buttons in brackets,
so the demo shows what an owner would see in the channel."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.text import Text

_MENTION = re.compile(r"<@([A-Z0-9]+)>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")


def plain(mrkdwn: str) -> str:
    """Slack mrkdwn as terminal text: bold marks dropped, mentions as @id, links as text."""
    text = _LINK.sub(r"\2 (\1)", mrkdwn)
    text = _MENTION.sub(r"@\1", text)
    return text.replace("*", "")


def render_message(blocks: list[dict[str, Any]], console: Console, title: str) -> None:
    lines: list[str] = []
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            if "text" in block:
                lines.append(plain(block["text"]["text"]))
            for field in block.get("fields", []):
                lines.append("  " + plain(field["text"]).replace("\n", ": "))
        elif kind == "context":
            lines.append(" | ".join(plain(e.get("text", "")) for e in block["elements"]))
        elif kind == "actions":
            lines.append("  ".join(f"[{e['text']['text']}]" for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
    # The CLI's console soft-wraps (no_wrap, overflow "ignore"), which inside a panel's fixed
    # width crops each line at the border: the message's own text must wrap (folding what has
    # no space to break at, such as an ARN or a link), as Slack wraps it.
    body = Text("\n".join(lines), no_wrap=False, overflow="fold")
    console.print(Panel(body, title=title, expand=False), soft_wrap=False, highlight=False)

"""The demo's Slack messages in a terminal: every word shown, whatever the width."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from rich.console import Console

from watchdog.cli.render_slack import render_message

CONTEXT = [
    "0 invocations in the last 7 days.",
    "0 invocations in 168 h",
    "teardown: 1 step",
    "finding f-1919258f217d",
]
BLOCKS: list[dict[str, Any]] = [
    {
        "type": "section",
        "text": {
            "type": "mrkdwn",
            "text": "*Delete*: bedrock-provisioned-throughput `support-bot-pt` - cost unknown "
            "- owner <@U0BOB00001>",
        },
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": t} for t in CONTEXT]},
    {"type": "actions", "elements": [{"type": "button", "text": {"text": "Approve delete"}}]},
]


def shown(blocks: list[dict[str, Any]], width: int) -> str:
    buffer = StringIO()
    # As the CLI's own console is: soft-wrapping, which crops inside a panel unless told not to.
    render_message(blocks, Console(file=buffer, width=width, soft_wrap=True), title="Slack")
    return buffer.getvalue()


@pytest.mark.parametrize("width", [80, 60, 200])
def test_long_lines_wrap_inside_the_panel_instead_of_being_cut(width: int) -> None:
    out = shown(BLOCKS, width)

    words = " ".join(line.strip("│╭╮╰╯─ ") for line in out.splitlines()).split()
    for word in ("owner", "@U0BOB00001", "finding", "f-1919258f217d", "[Approve", "delete]"):
        assert word in words, out
    assert all(len(line) <= width for line in out.splitlines())


def test_names_are_shown_as_they_are_never_read_as_markup() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "endpoint [bold]x[/bold]"}}]

    assert "endpoint [bold]x[/bold]" in shown(blocks, 80)

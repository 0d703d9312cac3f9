"""The demo's Slack stage: alerts posted to the sandbox's Slack workspace, one shown in the
terminal and all written out as Block Kit JSON, then Approve clicked on each delete through
the same signed-request path a real click takes (`POST /slack/interactions`)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from watchdog.act import ApplyResult
from watchdog.cli.render_slack import render_message
from watchdog.notify.notifier import notify
from watchdog.notify.slack import BotSender
from watchdog.service.context import Service, build_service
from watchdog.service.routes import Request, route
from watchdog.settings import Settings
from watchdog.store.base import Store

if TYPE_CHECKING:
    from watchdog_sandbox.slack_api import Posted, SlackApi

CHANNEL = "#ai-cost-watchdog"
CLICKER = "U0DEMO0001"  # the person clicking Approve in the demo
OWNERS = {  # the sandbox's owner tags, as users of its Slack workspace
    "alice@example.com": "U0ALICE001",
    "bob@example.com": "U0BOB00001",
    "carol@example.com": "U0CAROL001",
    "dan@example.com": "U0DAN00001",
    "erin@example.com": "U0ERIN0001",
}


@dataclass
class DemoSlack:
    service: Service
    api: SlackApi
    secret: str
    approved: list[Posted] = field(default_factory=list)


@contextmanager
def demo_slack(settings: Settings, store: Store) -> Iterator[DemoSlack]:
    from watchdog_sandbox.slack_api import SlackApi

    secret = secrets.token_hex(16)
    with SlackApi(users=OWNERS) as api:
        local = {
            "slack_signing_secret": secret,
            "slack_channel": CHANNEL,
            "slack_api_url": api.api_url,
        }
        configured = Settings(**settings.model_dump() | local)
        sender = BotSender(api.token, api.api_url)
        yield DemoSlack(build_service(configured, store, sender=sender), api, secret)


def post_and_approve(demo: DemoSlack, dry: ApplyResult, console: Console, out: Path) -> None:
    """Post the dry run's findings, show one, and click Approve on every delete it asks for."""
    from watchdog_sandbox.slack_clicks import block_actions, button, signed_request

    service = demo.service
    sent = notify(
        service.store, _sender(service), service.notify_options, service.clock.now(), dry.run_id
    )
    messages = demo.api.messages()
    out.write_text(
        json.dumps([{"channel": m.channel, "blocks": m.blocks} for m in messages], indent=2)
    )
    console.print(
        f"Posted {sent.posted} alerts to {CHANNEL} ({sent.slack_calls} Slack calls); "
        f"Block Kit JSON written to {out}",
        highlight=False,
    )
    wanted = {
        o.finding_id for o in dry.findings if o.fate == "needs-approval" and o.action == "delete"
    }
    for message in messages:
        finding_id = _finding_of(message)
        if finding_id not in wanted:
            continue
        if not demo.approved:
            render_message(message.blocks, console, title=f"Slack: {CHANNEL}")
        clicked = block_actions(
            button(message.blocks, "approve"),
            CLICKER,
            message.channel,
            message.ts,
            demo.api.response_url(message.channel, message.ts),
        )
        headers, body = signed_request(clicked, demo.secret)
        request = Request("POST", "/slack/interactions", headers, body)
        response, _work = route(service, request, service.clock.now())
        stored = service.store.get_finding(finding_id or "")
        console.print(
            f"  <@{CLICKER}> clicked Approve on {_name(message)} -> HTTP {response.status}, "
            f"finding {stored.state if stored else 'unknown'}",
            highlight=False,
        )
        demo.approved.append(message)


def show_outcome(demo: DemoSlack, console: Console) -> None:
    """After the teardown: the approved messages, edited to say what happened."""
    service = demo.service
    result = notify(service.store, _sender(service), service.notify_options, service.clock.now())
    console.print(f"\nSlack messages updated: {result.updated}", highlight=False)
    if demo.approved:
        first = demo.approved[0]
        edited = demo.api.message(first.channel, first.ts)
        if edited is not None:
            render_message(edited.blocks, console, title=f"Slack: {CHANNEL} (edited)")


def _sender(service: Service) -> BotSender:
    assert isinstance(service.sender, BotSender)
    return service.sender


def _finding_of(message: Posted) -> str | None:
    for block in message.blocks:
        if block["type"] == "actions":
            return str(block.get("block_id", "")).removeprefix("finding:") or None
    return None


def _name(message: Posted) -> str:
    return message.text.split(":", 1)[0]

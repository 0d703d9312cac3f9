"""Posting to Slack: once per finding, retried until Slack takes it, edited when the finding
moves on, through slack_sdk against the local fake Slack workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.unit.act.test_admission_rules import finding
from watchdog.findings import Finding
from watchdog.notify.notifier import NotifyOptions, NotifyResult, ReviewLinks, notify
from watchdog.notify.slack import BotSender, Sender, WebhookSender
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
ALICE = "U0ALICE001"
CHANNEL = "C0FINOPS01"
LINKS = ReviewLinks(b"k" * 32, "https://watchdog.example.com")


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(users={"alice@example.com": ALICE}, channels={"#finops": CHANNEL}) as api:
        yield api


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


def two_findings() -> list[Finding]:
    return [
        finding(id="f-1", owner="alice@example.com"),
        finding(id="f-2", owner="alice@example.com", monthly_cost_usd=50.0),
    ]


def run(
    store: SqliteStore,
    sender: Sender,
    run_id: str | None,
    findings: list[Finding] | None = None,
    **options: object,
) -> NotifyResult:
    if run_id is not None and findings is not None:
        store.save_findings(run_id, findings, NOW)
    chosen = NotifyOptions(default_channel="#finops", links=LINKS).__dict__ | options
    return notify(store, sender, NotifyOptions(**chosen), NOW, run_id=run_id)  # type: ignore[arg-type]


def methods(api: SlackApi) -> list[str]:
    return [call.method for call in api.calls]


def test_each_finding_is_posted_once_with_its_owner_mentioned(
    slack: SlackApi, store: SqliteStore
) -> None:
    bot = BotSender(slack.token, slack.api_url)

    first = run(store, bot, "r1", two_findings())
    again = run(store, bot, "r2", two_findings())

    assert (first.posted, first.updated, first.failed) == (2, 0, [])
    assert (again.posted, again.updated) == (0, 0)
    posted = slack.messages()
    assert [m.channel for m in posted] == [CHANNEL, CHANNEL]
    assert all(f"<@{ALICE}>" in str(m.blocks) for m in posted)
    assert "https://watchdog.example.com/approve/" in str(posted[0].blocks)
    # One lookup for the owner's email, however many findings name it.
    assert methods(slack).count("users.lookupByEmail") == 1
    assert methods(slack).count("chat.postMessage") == 2


def test_a_rate_limited_post_is_retried_after_retry_after(
    slack: SlackApi, store: SqliteStore
) -> None:
    slack.fail_next("chat.postMessage", 429, retry_after=0)

    result = run(store, BotSender(slack.token, slack.api_url), "r1", [finding(id="f-1")])

    assert result.posted == 1 and result.failed == []
    assert [c.status for c in slack.calls if c.method == "chat.postMessage"] == [429, 200]


def test_a_post_slack_refuses_is_not_dropped_but_posted_next_cycle(
    slack: SlackApi, store: SqliteStore
) -> None:
    bot = BotSender(slack.token, slack.api_url)
    slack.fail_next("chat.postMessage", 500, times=3)  # the first try and both retries

    failed = run(store, bot, "r1", [finding(id="f-1")])
    later = run(store, bot, "r2", [finding(id="f-1")])

    assert failed.posted == 0 and failed.failed[0].startswith("f-1: chat.postMessage")
    assert later.posted == 1 and len(slack.messages()) == 1


def test_a_state_change_edits_the_message_with_who_and_when(
    slack: SlackApi, store: SqliteStore
) -> None:
    bot = BotSender(slack.token, slack.api_url)
    run(store, bot, "r1", [finding(id="f-1")])
    store.set_finding_state("f-1", "approved", f"approved by slack:{ALICE} via slack", NOW)

    edited = run(store, bot, None)
    unchanged = run(store, bot, None)

    assert edited.updated == 1 and unchanged.updated == 0
    message = slack.messages()[0]
    assert message.updates == 1
    assert "Approved" in message.text and "2026-11-27 12:00 UTC" in message.text
    assert f"<@{ALICE}>" in str(message.blocks)
    assert all(block["type"] != "actions" for block in message.blocks)  # no more buttons


def test_a_webhook_posts_links_not_buttons_and_never_edits(
    slack: SlackApi, store: SqliteStore
) -> None:
    hook = WebhookSender(slack.webhook_url)

    posted = run(store, hook, "r1", [finding(id="f-1")], default_channel=None)
    store.set_finding_state("f-1", "done", "every step is done", NOW + timedelta(hours=1))
    edited = run(store, hook, None, default_channel=None)

    assert posted.posted == 1 and edited.updated == 0
    message = slack.messages()[0]
    assert message.via == "webhook"
    assert all(block["type"] != "actions" for block in message.blocks)
    assert "Review and approve" in str(message.blocks)
    assert methods(slack) == ["webhook"]


def test_a_digest_is_one_message_per_channel_and_is_re_rendered_whole(
    slack: SlackApi, store: SqliteStore
) -> None:
    bot = BotSender(slack.token, slack.api_url)

    posted = run(store, bot, "r1", two_findings(), digest=True)
    store.set_finding_state("f-2", "snoozed", f"snoozed by slack:{ALICE} for 7 days", NOW)
    edited = run(store, bot, None, digest=True)

    assert posted.posted == 2 and edited.updated == 1
    [message] = slack.messages()
    assert "2 findings" in message.text and "$150.00/month" in message.text
    text = str(message.blocks)
    assert "Snoozed" in text and "f-1:delete" in text  # f-1 still has its buttons


def test_a_finding_without_a_channel_is_reported_not_posted(
    slack: SlackApi, store: SqliteStore
) -> None:
    result = run(
        store,
        BotSender(slack.token, slack.api_url),
        "r1",
        [finding(id="f-1")],
        default_channel=None,
    )

    assert result.posted == 0 and "WATCHDOG_SLACK_CHANNEL" in result.skipped[0]
    assert slack.calls == []

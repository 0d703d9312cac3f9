"""The weekly digest: once a week per channel, with the headline numbers and a link to the whole
report that opens; a channel that failed is sent to at the next tick; without links, the report
goes to S3 behind a presigned URL; the Lambda's digest event does the same."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from click.testing import CliRunner
from watchdog_sandbox.slack_api import SlackApi
from watchdog_sandbox.teams_webhook import TeamsWorkflow

from lambda_handler import handler
from tests.fakes import FakeClock
from tests.functional.service.routes import LINK_SECRET, PUBLIC_URL
from tests.functional.test_cli_audit import entry
from tests.functional.test_lambda_handler import LambdaContext
from tests.unit.act.test_admission_rules import finding
from watchdog.cli.main import cli
from watchdog.notify.slack import BotSender
from watchdog.service.context import Service, build_service
from watchdog.service.digest import send_digest
from watchdog.service.routes import Request, route
from watchdog.settings import Settings
from watchdog.store.base import Store
from watchdog.store.dynamodb import create_table
from watchdog.store.open import open_store
from watchdog.store.sqlite import SqliteStore

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CHANNEL = "C0FINOPS01"


def stock(store: Store, now: datetime) -> None:
    """An open $100/month finding, and a $730/month endpoint deleted two days ago."""
    store.save_findings("r-1", [finding(owner="alice@example.com")], now)
    deleted = entry("a-deleted", timedelta(0), at=now - timedelta(days=2))
    store.append_audit(deleted.model_copy(update={"monthly_cost_saved_usd": 730.0}))


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(channels={"#finops": CHANNEL}) as api:
        yield api


@pytest.fixture
def service(tmp_path: Path, slack: SlackApi) -> Iterator[Service]:
    store = SqliteStore(tmp_path / "watchdog.db")
    stock(store, MONDAY)
    settings = Settings(link_secret=LINK_SECRET, public_url=PUBLIC_URL, slack_channel="#finops")
    sender = BotSender(slack.token, slack.api_url)
    built = build_service(settings, store, sender=sender, clock=FakeClock(MONDAY))
    yield built
    store.close()


def digests(slack: SlackApi) -> list[str]:
    return [m.text for m in slack.messages() if m.text.startswith("AI cost watchdog, week")]


def test_the_digest_goes_once_a_week_with_a_report_link_that_opens(
    service: Service, slack: SlackApi
) -> None:
    first = send_digest(service, "daemon-1")
    again = send_digest(service, "daemon-2")  # a restarted daemon, the same week

    assert (first.period, first.sent, first.failed) == ("2026-W49", ["slack"], [])
    assert again.sent == [] and len(digests(slack)) == 1
    [message] = [m for m in slack.messages() if m.channel == CHANNEL]
    assert message.text == (
        "AI cost watchdog, week 2026-W49: $100/month at stake, $48 saved this week"
    )
    shown = str(message.blocks)
    assert "$100.00/month (1 resources)" in shown and "Waiting on an answer" in shown
    assert first.report_url is not None and first.report_url.startswith(PUBLIC_URL + "/report/")
    page, _ = route(service, Request("GET", first.report_url.removeprefix(PUBLIC_URL)), MONDAY)
    assert page.status == 200 and "$100.00" in page.body

    assert isinstance(service.clock, FakeClock)
    service.clock.sleep(timedelta(days=7).total_seconds())
    assert send_digest(service, "daemon-2").sent == ["slack"]  # the next week: sent again
    assert len(digests(slack)) == 2


def test_a_digest_slack_refused_goes_at_the_next_tick(service: Service, slack: SlackApi) -> None:
    slack.fail_next("chat.postMessage", status=500, times=3)
    failed = send_digest(service, "daemon-1")
    later = send_digest(service, "daemon-1")

    assert failed.sent == [] and failed.failed and failed.failed[0].startswith("slack: ")
    assert later.sent == ["slack"] and len(digests(slack)) == 1


def test_without_links_the_report_goes_to_s3_behind_a_presigned_url(
    aws: None, tmp_path: Path, slack: SlackApi
) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="finops-reports")
    store = SqliteStore(tmp_path / "watchdog.db")
    stock(store, MONDAY)
    settings = Settings(report_bucket="finops-reports/weekly", slack_channel="#finops")
    sender = BotSender(slack.token, slack.api_url)
    service = build_service(
        settings, store, sender=sender, clock=FakeClock(MONDAY), session=boto3.Session()
    )
    try:
        result = send_digest(service, "lambda-1")
    finally:
        store.close()

    assert result.sent == ["slack"] and result.report_url is not None
    url = urlsplit(result.report_url)
    assert url.path.endswith("/weekly/report-2026-W49.html")
    assert parse_qs(url.query)["X-Amz-Expires"] == ["604800"]  # SigV4's 7 days at most
    stored = boto3.client("s3", region_name="us-east-1").get_object(
        Bucket="finops-reports", Key="weekly/report-2026-W49.html"
    )
    assert stored["ContentType"].startswith("text/html")
    assert b"$100.00" in stored["Body"].read()
    assert "Open the whole report" in str(slack.messages()[-1].blocks)


def test_the_lambda_digest_event_sends_it_once(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, slack: SlackApi
) -> None:
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    store = open_store("dynamodb://watchdog")
    stock(store, datetime.now(UTC))
    store.close()
    for name, value in {
        "WATCHDOG_STORE": "dynamodb://watchdog",
        "WATCHDOG_CACHE_DIR": str(tmp_path),
        "WATCHDOG_SLACK_BOT_TOKEN": slack.token,
        "WATCHDOG_SLACK_API_URL": slack.api_url,
        "WATCHDOG_SLACK_CHANNEL": "#finops",
    }.items():
        monkeypatch.setenv(name, value)

    first = handler({"watchdog": "digest"}, LambdaContext(remaining_ms=60_000))
    second = handler({"watchdog": "digest"}, LambdaContext(remaining_ms=60_000))

    assert first["sent"] == ["slack"] and first["linked"] is False
    assert second["sent"] == [] and len(digests(slack)) == 1


def test_the_digest_command_prints_it_and_sends_it_once(
    tmp_path: Path, slack: SlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "watchdog.db")
    stock(store, datetime.now(UTC))
    store.close()
    for name, value in {
        "WATCHDOG_STORE": f"sqlite:///{tmp_path / 'watchdog.db'}",
        "WATCHDOG_SLACK_BOT_TOKEN": slack.token,
        "WATCHDOG_SLACK_API_URL": slack.api_url,
        "WATCHDOG_SLACK_CHANNEL": "#finops",
    }.items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()

    shown = runner.invoke(cli, ["digest"])
    sent = runner.invoke(cli, ["digest", "--send"])
    twice = runner.invoke(cli, ["digest", "--send"])
    bad = runner.invoke(cli, ["digest", "--again"])

    assert shown.exit_code == 0 and "At stake now: $100.00/month over 1 resources" in shown.output
    assert digests(slack) and len(digests(slack)) == 1
    assert sent.exit_code == 0 and "sent to slack" in sent.output
    assert twice.exit_code == 0 and "already sent everywhere" in twice.output
    assert bad.exit_code == 2 and "--again goes with --send" in bad.output


def test_teams_gets_the_digest_as_a_card_once_a_week(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "watchdog.db")
    stock(store, MONDAY)
    with TeamsWorkflow() as teams:
        settings = Settings(
            link_secret=LINK_SECRET, public_url=PUBLIC_URL, teams_webhook_url=teams.url
        )
        service = build_service(settings, store, clock=FakeClock(MONDAY))
        first = send_digest(service, "daemon-1")
        second = send_digest(service, "daemon-1")
        cards = list(teams.cards)
    store.close()

    assert first.sent == ["teams"] and second.sent == []
    [card] = cards
    shown = str(card)
    assert "$100.00/month (1 resources)" in shown and "Saved this week" in shown
    [action] = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].startswith(PUBLIC_URL + "/report/")


def test_sending_the_digest_with_no_channel_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WATCHDOG_SLACK_BOT_TOKEN", "WATCHDOG_SLACK_WEBHOOK_URL", "WATCHDOG_EMAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WATCHDOG_STORE", f"sqlite:///{tmp_path / 'watchdog.db'}")

    result = CliRunner().invoke(cli, ["digest", "--send"])

    assert result.exit_code == 2 and "no channel to send it to" in result.output
    assert "Traceback" not in result.output

"""Microsoft Teams: each change of a finding told once, as an Adaptive Card posted to a Teams
workflow webhook, through the watchdog's own HTTP client against the local fake workflow."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from structlog.testing import capture_logs
from watchdog_sandbox.teams_webhook import TeamsWorkflow

from tests.functional.service.routes import service_for
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import endpoint
from watchdog.findings import Finding
from watchdog.logs import configure_logging
from watchdog.notify.deliver import made_by
from watchdog.notify.options import ReviewLinks
from watchdog.notify.outbound import ChannelResult, ReminderRule, tell
from watchdog.notify.teams import TeamsChannel
from watchdog.service.channels import tell_channels
from watchdog.settings import Settings
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LINKS = ReviewLinks(b"k" * 32, "https://watchdog.example.com")
HOSTILE_NAME = "**big**[click](https://evil.example)<at>all</at>"


@pytest.fixture
def teams() -> Iterator[TeamsWorkflow]:
    with TeamsWorkflow() as workflow:
        yield workflow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


class Waits(list[float]):
    """The channel's sleeps, recorded instead of slept."""


def channel(teams: TeamsWorkflow, waits: Waits | None = None) -> TeamsChannel:
    return TeamsChannel(teams.url, sleep=(waits if waits is not None else Waits()).append)


def run(
    store: SqliteStore,
    teams_channel: TeamsChannel,
    run_id: str | None,
    findings: list[Finding] | None = None,
    links: ReviewLinks | None = LINKS,
) -> ChannelResult:
    if run_id is not None and findings is not None:
        store.save_findings(run_id, findings, NOW)
    return tell(store, teams_channel, NOW, current=made_by(run_id, None), links=links)


def texts(card: dict[str, Any]) -> list[str]:
    """Every text a person sees on the card: TextBlocks and facts."""
    seen = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            seen.append(element["text"])
        elif element["type"] == "FactSet":
            seen += [f"{fact['title']}: {fact['value']}" for fact in element["facts"]]
    return seen


def buttons(card: dict[str, Any]) -> dict[str, str]:
    return {action["title"]: action["url"] for action in card.get("actions", [])}


def test_a_new_finding_is_announced_once_with_the_slack_alerts_facts(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    first = run(store, channel(teams), "r1", [finding(owner="alice@example.com")])
    again = run(store, channel(teams), "r2", [finding(owner="alice@example.com")])

    assert (first.sent, first.failed, first.calls) == (1, [], 1)
    assert (again.sent, again.calls) == (0, 0)
    assert teams.statuses() == [202]
    (card,) = teams.cards
    assert card["version"] == "1.4" and card["type"] == "AdaptiveCard"
    shown = "\n".join(texts(card))
    for fact in (
        "Delete: sagemaker-endpoint e - $100.00/month",
        "Account: 111122223333",
        "Region: us-east-1",
        "Monthly cost: $100.00/month",
        "Owner: alice@example.com",
        "Action: delete",
        "finding f-1",
    ):
        assert fact in shown
    request = teams.calls[0].body
    assert request["type"] == "message"
    assert request["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"


def test_a_state_change_is_told_once_in_a_short_card(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    run(store, channel(teams), "r1", [finding()])
    store.set_finding_state("f-1", "approved", "approved by slack:U0ALICE001 via slack", NOW)

    told = run(store, channel(teams), None)
    again = run(store, channel(teams), None)

    assert (told.sent, again.sent) == (1, 0)
    card = teams.cards[1]
    assert texts(card)[0] == (
        "Approved - approved by slack:U0ALICE001 via slack - 2026-11-27 12:00 UTC"
    )
    assert "sagemaker-endpoint e (111122223333 us-east-1)" in texts(card)[1]
    assert "actions" not in card  # approved: nothing left to review


def test_a_reminder_says_it_is_still_waiting_and_keeps_the_review_button(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    run(store, channel(teams), "r1", [finding()])
    rules = {"idle": ReminderRule(remind_after=timedelta(days=3))}
    later = NOW + timedelta(days=4)

    result = tell(
        store, channel(teams), later, current=made_by(None, None), rules=rules, links=LINKS
    )

    assert result.sent == 1
    card = teams.cards[1]
    assert texts(card)[0] == "Reminder: still waiting for an answer since 2026-11-27 12:00 UTC"
    assert list(buttons(card)) == ["Review"]


def test_a_rate_limited_post_is_retried_after_its_retry_after(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    waits = Waits()
    teams.fail_next(429, retry_after=2)

    result = run(store, channel(teams, waits), "r1", [finding()])

    assert (result.sent, result.failed, result.calls) == (1, [], 2)
    assert teams.statuses() == [429, 202]
    assert waits == [2.0]


def test_a_retry_after_too_long_for_this_cycle_leaves_it_for_the_next(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    teams.fail_next(429, retry_after=120)

    waiting = run(store, channel(teams), "r1", [finding()])
    later = run(store, channel(teams), "r2", [finding()])

    assert waiting.sent == 0 and "throttled" in waiting.failed[0]
    assert later.sent == 1 and teams.statuses() == [429, 202]


def test_server_errors_exhausted_leave_every_change_for_the_next_cycle(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    waits = Waits()
    teams.fail_next(503, times=3)  # the first try and both retries
    two = [finding(id="f-1"), finding(id="f-2")]

    failed = run(store, channel(teams, waits), "r1", two)
    later = run(store, channel(teams), "r2", two)

    assert failed.sent == 0 and failed.calls == 3  # f-2 is not tried after f-1 used them up
    assert failed.failed[0] == "f-1: Teams answered HTTP 503 after 3 tries"
    assert failed.failed[1].startswith("f-2: not sent, Teams at 127.0.0.1 failed")
    assert waits == [0.5, 1.0]
    assert later.sent == 2 and len(teams.cards) == 2


def test_a_card_the_workflow_refuses_is_not_retried_and_the_next_still_goes(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    teams.fail_next(400)

    result = run(store, channel(teams), "r1", [finding(id="f-1"), finding(id="f-2")])

    assert result.sent == 1 and result.failed == ["f-1: Teams answered HTTP 400"]
    assert teams.statuses() == [400, 202]


def test_names_owners_and_reasons_from_aws_are_text_not_markdown(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    hostile = finding(
        resource=endpoint(HOSTILE_NAME),
        owner="- _owner_ [x](https://evil.example)",
        reason="idle `code`\n# heading",
    )

    run(store, channel(teams), "r1", [hostile])

    (card,) = teams.cards
    shown = "\n".join(texts(card))
    assert "[click](https://evil.example)" not in shown
    assert "**big**" not in shown and "<at>" not in shown and "`code`" not in shown
    assert r"\*\*big\*\*\[click\]\(https://evil.example\)\<at\>all\</at\>" in shown
    assert r"Owner: \- \_owner\_ \[x\]\(https://evil.example\)" in shown
    assert r"idle \`code\` \# heading" in shown  # one line: no list or heading can start


def test_review_opens_the_signed_approval_page_only_with_links_and_something_to_approve(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    run(store, channel(teams), "r1", [finding(id="f-1")])
    run(store, channel(teams), "r1", [finding(id="f-2", action="notify", steps=())])
    run(store, channel(teams), "r2", [finding(id="f-3")], links=None)

    with_link, heads_up, without_links = (buttons(card) for card in teams.cards)
    assert list(with_link) == ["Review"]
    assert with_link["Review"].startswith("https://watchdog.example.com/approve/")
    assert heads_up == {} and without_links == {}


def test_a_parked_finding_offers_resume_now(teams: TeamsWorkflow, store: SqliteStore) -> None:
    run(store, channel(teams), "r1", [finding(id="f-1", action="park")])
    store.set_finding_state("f-1", "parked", "parked by its schedule", NOW)

    run(store, channel(teams), None)

    parked = teams.cards[1]
    assert texts(parked)[0].startswith("Parked - parked by its schedule - 2026-11-27 12:00")
    assert list(buttons(parked)) == ["Resume now"]
    assert buttons(parked)["Resume now"].startswith("https://watchdog.example.com/resume/")


def test_the_webhook_url_and_its_signature_are_never_logged(
    teams: TeamsWorkflow, store: SqliteStore
) -> None:
    configure_logging("json", "info")  # the suite's default drops info; conftest restores it
    teams.fail_next(500, times=3)
    with capture_logs() as logs:
        run(store, channel(teams), "r1", [finding()])
        service = service_for(store, teams_webhook_url=teams.url)
        tell_channels(service, run_id="r2")
        store.save_findings("r2", [finding()], NOW)
        tell_channels(service, run_id="r2")

    assert teams.statuses() == [500, 500, 500, 202]
    assert any(entry.get("host") == "127.0.0.1" for entry in logs)
    assert teams.signature not in repr(logs) and teams.url not in repr(logs)
    assert teams.signature not in repr(service.settings)
    assert teams.signature not in repr(channel(teams))


def test_a_cycle_tells_teams_when_its_url_is_set(teams: TeamsWorkflow, store: SqliteStore) -> None:
    store.save_findings("r-1", [finding()], NOW)

    told = tell_channels(service_for(store, teams_webhook_url=teams.url), run_id="r-1")
    unset = tell_channels(service_for(store), run_id="r-1")

    assert told["teams"].sent == 1 and "teams" not in unset
    (card,) = teams.cards
    assert buttons(card)["Review"].startswith("https://watchdog.example.com/approve/")
    assert json.dumps(card).count("f-1") >= 1


@pytest.mark.parametrize(
    ("url", "taken"),
    [
        ("https://prod-01.westeurope.logic.azure.com/workflows/x?sig=abc", True),
        ("http://127.0.0.1:8080/hook?sig=abc", True),
        ("http://localhost/hook?sig=abc", True),
        ("http://teams.example.com/hook?sig=abc", False),
        ("ftp://teams.example.com/hook", False),
        ("not a url", False),
    ],
)
def test_the_webhook_url_must_be_https_but_for_a_loopback_stand_in(url: str, taken: bool) -> None:
    if taken:
        assert Settings(teams_webhook_url=url).teams_webhook_url is not None
        return
    with pytest.raises(ValidationError) as refused:
        Settings(teams_webhook_url=url)
    assert "sig=abc" not in str(refused.value)


def test_teams_alone_loads_no_slack_sdk() -> None:
    """A Lambda with Teams and without Slack stays as lean as one with neither."""
    code = "import sys, watchdog.notify.teams; print('slack_sdk' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"

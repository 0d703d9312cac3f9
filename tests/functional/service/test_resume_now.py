"""Resume now: from Slack, a parked finding's message keeps one button, and its click brings
the resource back through the same resume steps as the schedule's, then edits the message; a
signed link does the same where a message has no buttons."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import boto3
import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.fakes import FakeClock
from tests.functional.demo_snapshot import seed_demo
from watchdog.approvals.tokens import issue_token
from watchdog.notify.blocks import RESUME
from watchdog.notify.interactions import Click
from watchdog.notify.slack import BotSender
from watchdog.service.clicks import answer
from watchdog.service.context import Service, build_service
from watchdog.service.cycle import run_cycle
from watchdog.service.routes import Request, redact_tokens, route
from watchdog.service.work import perform
from watchdog.settings import Settings
from watchdog.store.sqlite import SqliteStore

CHANNEL = "C0FINOPS01"
ALICE, MALLORY = "U0ALICE001", "U0MALLORY1"
MONDAY_NIGHT = datetime(2026, 12, 7, 21, 0, tzinfo=ZoneInfo("Europe/Paris"))
POLICY = """\
policies:
  - name: office-hours
    resource: [sagemaker-notebook-instance]
    conditions: {status: [InService]}
    action: park
    approval: {mode: automatic, grace: 0h}
    park: {at: "0 20 * * mon-fri", resume: "0 8 * * mon-fri", timezone: Europe/Paris}
"""


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(channels={"#finops": CHANNEL}) as api:
        yield api


@pytest.fixture
def service(aws: None, slack: SlackApi, tmp_path: Path) -> Iterator[Service]:
    seed_demo()
    (tmp_path / "office-hours.yaml").write_text(POLICY)
    settings = Settings(
        regions="us-east-1",
        mode="enforce",
        policies=str(tmp_path / "office-hours.yaml"),
        cache_dir=str(tmp_path / "cache"),
        cost_explorer=False,
        slack_channel="#finops",
        slack_api_url=slack.api_url,
        slack_approvers=ALICE,
    )
    store = SqliteStore(tmp_path / "watchdog.db")
    built = build_service(
        settings, store, sender=BotSender(slack.token, slack.api_url), clock=FakeClock(MONDAY_NIGHT)
    )
    yield built
    store.close()


def status(name: str) -> str:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    return str(
        sagemaker.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
    )


def click(finding_id: str, user: str, url: str) -> Click:
    return Click(
        button=RESUME,
        finding_id=finding_id,
        action="park",
        user_id=user,
        team_id="T0TEAM0001",
        response_url=url,
        action_ts=f"{user}-1",
    )


def test_resume_now_brings_a_parked_notebook_back_and_the_message_says_so(
    service: Service, slack: SlackApi
) -> None:
    run_cycle(service)  # Monday night: parked, and announced
    parked = next(
        s for s in service.store.list_findings() if s.finding.resource.name == "alice-exploration"
    )
    assert parked.state == "parked" and status("alice-exploration") == "Stopped"
    reference = service.store.get_message(parked.finding.id)
    assert reference is not None
    message = slack.message(reference.channel, reference.ts)
    assert message is not None
    buttons = [e for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
    assert [b["text"]["text"] for b in buttons if parked.finding.id in str(b)] == ["Resume now"]
    url = slack.response_url(reference.channel, reference.ts)

    refused = answer(service, click(parked.finding.id, MALLORY, url), MONDAY_NIGHT)
    assert [w.task for w in refused] == ["reply"] and "not among the approvers" in str(refused)
    [work] = answer(service, click(parked.finding.id, ALICE, url), MONDAY_NIGHT)
    assert work.task == "resume"
    perform(work, service)

    assert status("alice-exploration") == "InService"
    back = service.store.get_finding(parked.finding.id)
    assert back is not None and back.state == "open"
    after = slack.message(reference.channel, reference.ts)
    assert after is not None and "Resume now" not in str(after.blocks)
    # The same click again: the finding is no longer parked.
    again = answer(service, click(parked.finding.id, ALICE, url), MONDAY_NIGHT)
    assert [w.task for w in again] == ["reply"]


LINK_SECRET = "resume-link-secret-0123456789abcdef0123456789"


def test_a_signed_resume_link_shows_then_resumes_once_and_no_other_token_does(
    service: Service,
) -> None:
    run_cycle(service)
    parked = next(
        s for s in service.store.list_findings() if s.finding.resource.name == "alice-exploration"
    )
    # Whoever holds a link is nobody Slack vouches for: links work without an allowlist.
    anyone = service.settings.model_copy(update={"slack_approvers": None})
    linked = replace(service, link_key=LINK_SECRET.encode(), settings=anyone)
    expires = MONDAY_NIGHT + timedelta(hours=24)
    token = issue_token(LINK_SECRET.encode(), parked.finding.id, "park", expires, purpose="resume")
    approval = issue_token(LINK_SECRET.encode(), parked.finding.id, "park", expires)

    shown, none = route(linked, Request("GET", f"/resume/{token}"), MONDAY_NIGHT)
    assert shown.status == 200 and "Resume alice-exploration now?" in shown.body and not none
    assert status("alice-exploration") == "Stopped"  # a GET (an unfurler) changes nothing
    wrong, _ = route(linked, Request("GET", f"/resume/{approval}"), MONDAY_NIGHT)
    assert wrong.status == 400  # an approval link does not resume
    crossed, _ = route(linked, Request("GET", f"/approve/{token}"), MONDAY_NIGHT)
    assert crossed.status == 400  # nor a resume link approve

    done, [work] = route(linked, Request("POST", f"/resume/{token}"), MONDAY_NIGHT)
    assert done.status == 200 and work.task == "resume" and work.user == "link"
    perform(work, linked)
    assert status("alice-exploration") == "InService"
    again, more = route(linked, Request("POST", f"/resume/{token}"), MONDAY_NIGHT)
    assert again.status in (409, 410) and more == []
    assert redact_tokens(f"POST /resume/{token}") != f"POST /resume/{token}"
    assert token not in redact_tokens(f"GET /Resume/{token} HTTP/1.1")

"""Reminders and escalation over several weeks of a fake clock: a finding nobody answers is
brought up again in its alert's thread after `remind_after`, goes to `escalate_to` after
`escalate_after`, once each, on Slack and on every other channel; one answered is left alone."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.fakes import FakeClock
from tests.unit.act.test_admission_rules import finding
from watchdog.notify.notifier import NotifyOptions, notify
from watchdog.notify.outbound import Change, Delivered
from watchdog.notify.slack import BotSender
from watchdog.policies.schema import Policy
from watchdog.service.channels import tell_channels
from watchdog.service.context import Service
from watchdog.settings import Settings
from watchdog.store.sqlite import SqliteStore

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ALICE = "U0ALICE001"
FINOPS, LEADS = "C0FINOPS01", "C0LEADS001"
POLICY = Policy.model_validate(
    {
        "name": "idle",
        "resource": ["sagemaker-endpoint"],
        "conditions": {"idle": {"window": "7d"}},
        "action": "delete",
        "reminders": {
            "remind_after": "3d",
            "escalate_after": "7d",
            "escalate_to": ["#finops-leads", "S0LEADS01", "lead@example.com"],
        },
    }
)


class Recorder:
    """Another channel (Teams, email, a webhook): what it was asked to tell, in order."""

    name = "recorder"

    def __init__(self) -> None:
        self.told: list[tuple[str, str, tuple[str, ...]]] = []

    def deliver(self, changes: Sequence[Change], now: datetime) -> Delivered:
        for change in changes:
            self.told.append((change.stored.finding.id, change.stage, change.escalate_to))
        return Delivered(told=list(changes), calls=len(changes))


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    channels = {"#finops": FINOPS, "#finops-leads": LEADS}
    with SlackApi(users={"alice@example.com": ALICE}, channels=channels) as api:
        yield api


@pytest.fixture
def service(tmp_path: Path, slack: SlackApi) -> Iterator[Service]:
    store = SqliteStore(tmp_path / "watchdog.db")
    yield Service(
        settings=Settings(),
        store=store,
        sender=BotSender(slack.token, slack.api_url),
        clock=FakeClock(START),
        notify_options=NotifyOptions(default_channel="#finops"),
        loaded_policies=[POLICY],
    )
    store.close()


def cycle(service: Service, day: int, recorder: Recorder) -> None:
    """One daily run: both findings found again, Slack told, then every other channel."""
    assert isinstance(service.clock, FakeClock)
    service.clock.sleep(timedelta(days=day).total_seconds() - _elapsed(service))
    run_id = f"r-{day}"
    findings = [finding(id=f, owner="alice@example.com") for f in ("f-quiet", "f-answered")]
    now = service.clock.now()
    service.store.save_findings(run_id, findings, now)
    assert service.sender is not None
    notify(service.store, service.sender, service.notify_options, now, run_id=run_id)
    tell_channels(service, run_id=run_id, channels=[recorder])


def _elapsed(service: Service) -> float:
    return (service.clock.now() - START).total_seconds()


def test_three_weeks_unanswered_remind_once_then_escalate_once(
    service: Service, slack: SlackApi
) -> None:
    recorder = Recorder()
    for day in range(22):
        cycle(service, day, recorder)
        if day == 1:
            service.store.set_finding_state("f-answered", "approved", "slack:U0ALICE001", START)

    alert = service.store.get_message("f-quiet")
    assert alert is not None and alert.channel == FINOPS
    replies = [m for m in slack.messages() if m.thread_ts == alert.ts]
    assert len(replies) == 2, [r.text for r in replies]
    reminder, escalated_note = replies
    assert "Reminder" in reminder.text and f"<@{ALICE}>" in reminder.text
    assert "waited 3 days" in reminder.text and "$100.00/month at stake" in reminder.text
    assert "Escalated to #finops-leads, <!subteam^S0LEADS01>" in escalated_note.text

    escalations = [m for m in slack.messages() if m.channel == LEADS]
    assert len(escalations) == 1
    shown = str(escalations[0].blocks)
    assert "waited 7 days without an answer" in shown and "<!subteam^S0LEADS01>" in shown
    assert "approve" in shown  # the buttons: whoever it went to can decide there

    quiet = [(stage, to) for f, stage, to in recorder.told if f == "f-quiet"]
    assert quiet == [("open", ()), ("reminder", ()), ("escalated", tuple(POLICY_TARGETS))]
    answered = [stage for f, stage, _ in recorder.told if f == "f-answered"]
    assert answered == ["open", "approved"]


POLICY_TARGETS = ["#finops-leads", "S0LEADS01", "lead@example.com"]


def test_a_failed_reminder_is_sent_on_the_next_run_only(service: Service, slack: SlackApi) -> None:
    recorder = Recorder()
    for day in range(3):
        cycle(service, day, recorder)
    slack.fail_next("chat.postMessage", status=500, times=6)
    cycle(service, 3, recorder)
    threaded = [m for m in slack.messages() if m.thread_ts is not None]
    assert threaded == []
    cycle(service, 4, recorder)
    cycle(service, 5, recorder)
    threaded = [m for m in slack.messages() if m.thread_ts is not None]
    assert len(threaded) == 2  # one reminder for each finding, once
    assert all("waited 4 days" in m.text for m in threaded)

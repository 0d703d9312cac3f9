"""A resume given up because someone changed the resource while it was parked: left as it is,
written to the audit log, and its owner told once in a Slack message of its own, whichever run
gave it up (apply, the parking tick, a cycle) and however often runs come after."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from watchdog_sandbox.slack_api import SlackApi

from tests.functional.act.conftest import REGION, Applier
from tests.functional.act.test_endpoint_parking import MONDAY_NIGHT, TUESDAY_MORNING
from tests.functional.act.test_endpoint_parking import office_hours as endpoint_hours
from tests.functional.act.test_parking import MONDAY_NOON, office_hours
from watchdog.cli.audit import audit
from watchdog.notify.notices import send_notices
from watchdog.notify.options import NotifyOptions
from watchdog.notify.slack import BotSender, WebhookSender
from watchdog.service.context import build_service
from watchdog.service.cycle import run_cycle
from watchdog.service.parking import run_parking
from watchdog.settings import Settings
from watchdog.store.base import AuditEntry

ALICE = "U0ALICE001"
FINOPS = "C0FINOPS01"
NIGHT = MONDAY_NOON + timedelta(hours=12)  # 00:00 in Paris: parked
MORNING = MONDAY_NOON + timedelta(hours=24)  # 12:00 in Paris: its resume is due
OPTIONS = NotifyOptions(default_channel="#finops")


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(users={"alice@example.com": ALICE}, channels={"#finops": FINOPS}) as api:
        yield api


def left_alone(applier: Applier) -> list[AuditEntry]:
    return [e for e in applier.store.list_audit(limit=1000) if e.outcome == "left-alone"]


def notices(slack: SlackApi) -> list[Any]:
    return [m for m in slack.messages() if "Not resumed, left alone" in m.text]


def park_alice_tonight(applier: Applier) -> None:
    applier.clock._now = NIGHT
    applier(office_hours())
    notebooks = boto3.client("sagemaker", region_name=REGION)
    status = notebooks.describe_notebook_instance(NotebookInstanceName="alice-exploration")
    assert status["NotebookInstanceStatus"] == "Stopped"


def test_a_notebook_someone_started_while_parked_is_left_running_and_its_owner_told_once(
    applier: Applier, slack: SlackApi
) -> None:
    park_alice_tonight(applier)
    boto3.client("sagemaker", region_name=REGION).start_notebook_instance(
        NotebookInstanceName="alice-exploration"
    )
    applier.clock._now = MORNING

    morning = applier(office_hours())

    [alice] = [f for f in morning.findings if f.resource_name == "alice-exploration"]
    assert alice.reason.startswith("left alone, not resumed: found InService instead of Stopped")
    [entry] = left_alone(applier)
    assert entry.target_arn == alice.resource_arn
    assert "someone changed it while it was parked" in entry.detail
    assert "made no call and left it as it is" in entry.detail
    # Nothing else parked was touched by it: the others came back as usual, untold.
    bot = BotSender(slack.token, slack.api_url)
    sent = send_notices(applier.store, bot, OPTIONS, applier.clock.now(), "run-1")
    again = send_notices(applier.store, bot, OPTIONS, applier.clock.now(), "run-2")
    applier(office_hours())  # a later run the same morning: nothing new to tell

    assert (sent.sent, again.sent) == (1, 0)
    [notice] = notices(slack)
    assert notice.channel == FINOPS
    shown = str(notice.blocks)
    assert "alice-exploration" in shown and f"<@{ALICE}>" in shown  # which, and whose
    assert "parked it (Stopped)" in shown and "found it *InService* instead" in shown
    assert "left it as it is" in shown
    assert "*What to do:* nothing, if that was meant" in shown
    assert len(left_alone(applier)) == 1


def test_a_notebook_deleted_while_parked_is_reported_gone_and_the_audit_shows_it(
    applier: Applier, slack: SlackApi, tmp_path: Any
) -> None:
    park_alice_tonight(applier)
    boto3.client("sagemaker", region_name=REGION).delete_notebook_instance(
        NotebookInstanceName="alice-exploration"
    )
    applier.clock._now = MORNING

    applier(office_hours())

    [entry] = left_alone(applier)
    assert entry.detail.startswith("found gone instead of Stopped at its resume")
    webhook = WebhookSender(slack.webhook_url)
    assert send_notices(applier.store, webhook, OPTIONS, applier.clock.now(), "r").sent == 1
    [notice] = notices(slack)
    assert "someone deleted it while it was parked" in str(notice.blocks)
    assert "description before it was parked is in `ai-watchdog audit`" in str(notice.blocks)
    shown = CliRunner().invoke(
        audit, ["--store", f"sqlite:///{tmp_path / 'watchdog.db'}"], terminal_width=200
    )
    assert shown.exit_code == 0, shown.output
    assert "left-alone" in shown.output
    targets = " ".join(
        line.split("│")[4].strip() for line in shown.output.splitlines() if line.startswith("│")
    )
    assert "someone deleted it while it was parked; the watchdog made no call" in targets


def test_an_endpoint_whose_config_was_deleted_while_parked_is_not_created_and_not_retried(
    applier: Applier, slack: SlackApi
) -> None:
    policy = endpoint_hours()
    applier.clock._now = MONDAY_NIGHT - timedelta(hours=9)
    applier(policy)
    applier.clock._now = MONDAY_NIGHT
    applier(policy)
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    stored = next(
        s.finding
        for s in applier.store.list_findings()
        if s.finding.resource.name == "fraud-scoring-prod"
    )
    config = stored.resource.attributes["endpoint_config_name"]
    sagemaker.delete_endpoint_config(EndpointConfigName=config)
    applier.clock._now = TUESDAY_MORNING

    morning = applier(policy)
    later = applier(policy)

    [fraud] = [f for f in morning.findings if f.resource_name == "fraud-scoring-prod"]
    assert "left alone, not resumed" in fraud.reason
    assert "what it is created from was deleted while it was parked" in fraud.reason
    assert not any(f.resource_name == "fraud-scoring-prod" for f in later.findings)
    creates = [
        e
        for e in applier.store.list_audit(limit=1000)
        if e.op == "sagemaker:CreateEndpoint" and e.target_arn == stored.resource.arn
    ]
    assert [e.outcome for e in creates if e.outcome == "started"] == ["started"]  # one try
    assert applier.store.get_finding(stored.id).state != "parked"  # not carried any more
    bot = BotSender(slack.token, slack.api_url)
    send_notices(applier.store, bot, OPTIONS, applier.clock.now(), "r")
    [notice] = notices(slack)
    assert "fraud-scoring-prod" in str(notice.blocks)
    assert "create it again yourself if it is still wanted" in str(notice.blocks)


def test_the_parking_tick_and_a_cycle_tell_the_owner_and_without_slack_nothing_breaks(
    applier: Applier, slack: SlackApi, tmp_path: Any
) -> None:
    applier.clock._now = MONDAY_NOON
    applier(office_hours())  # the cycle that stores the park findings
    settings = Settings(
        regions=REGION,
        store=f"sqlite:///{tmp_path / 'watchdog.db'}",
        cache_dir=str(tmp_path / "cache"),
        cost_explorer=False,
        mode="enforce",
        slack_channel="#finops",
    )
    quiet = build_service(settings, applier.store, clock=applier.clock)
    quiet.loaded_policies = [office_hours()]
    bot = BotSender(slack.token, slack.api_url)
    loud = build_service(settings, applier.store, clock=applier.clock, sender=bot)
    loud.loaded_policies = [office_hours()]
    sagemaker = boto3.client("sagemaker", region_name=REGION)

    applier.clock._now = NIGHT
    run_parking(quiet)  # parks, without Slack
    sagemaker.start_notebook_instance(NotebookInstanceName="alice-exploration")
    applier.clock._now = MORNING
    ticked = run_parking(quiet)  # gives the resume up, without Slack: the audit has it

    [alice] = [o for o in ticked if o.resource_name == "alice-exploration"]
    assert alice.reason.startswith("left alone, not resumed"), alice.reason
    assert len(left_alone(applier)) == 1 and notices(slack) == []
    run_parking(loud)  # the next tick, with Slack: told now
    run_cycle(loud)  # and never again
    assert len(notices(slack)) == 1
    assert "*InService*" in str(notices(slack)[0].blocks)


def test_a_notice_slack_refuses_or_another_run_is_sending_is_sent_later_and_once(
    applier: Applier, slack: SlackApi
) -> None:
    park_alice_tonight(applier)
    boto3.client("sagemaker", region_name=REGION).start_notebook_instance(
        NotebookInstanceName="alice-exploration"
    )
    applier.clock._now = MORNING
    applier(office_hours())
    bot = BotSender(slack.token, slack.api_url)
    [entry] = left_alone(applier)
    now = applier.clock.now()

    slack.fail_next("chat.postMessage", 200, error="channel_not_found")
    refused = send_notices(applier.store, bot, OPTIONS, now, "run-1")
    assert applier.store.acquire_lock(f"notice:{entry.id}", "run-2", now, timedelta(minutes=5))
    while_held = send_notices(applier.store, bot, OPTIONS, now, "run-3")
    later = send_notices(applier.store, bot, OPTIONS, now + timedelta(minutes=6), "run-4")
    last = send_notices(applier.store, bot, OPTIONS, now + timedelta(minutes=7), "run-5")

    assert (refused.sent, len(refused.failed)) == (0, 1)
    assert "channel_not_found" in refused.failed[0]
    assert (while_held.sent, later.sent, last.sent) == (0, 1, 0)
    assert len(notices(slack)) == 1


def test_an_endpoint_someone_is_creating_again_is_waited_for_and_reported_as_theirs(
    applier: Applier, slack: SlackApi
) -> None:
    from watchdog_sandbox.transitions import overridden

    policy = endpoint_hours()
    applier.clock._now = MONDAY_NIGHT - timedelta(hours=9)
    applier(policy)
    applier.clock._now = MONDAY_NIGHT
    applier(policy)
    stored = next(
        s.finding
        for s in applier.store.list_findings()
        if s.finding.resource.name == "fraud-scoring-prod"
    )
    config = stored.resource.attributes["endpoint_config_name"]
    applier.clock._now = TUESDAY_MORNING
    # Someone creates it again by hand just before the resume: still Creating when it reads it.
    with overridden(reads=3):
        boto3.client("sagemaker", region_name=REGION).create_endpoint(
            EndpointName="fraud-scoring-prod", EndpointConfigName=config
        )
        morning = applier(policy)

    [fraud] = [f for f in morning.findings if f.resource_name == "fraud-scoring-prod"]
    assert fraud.reason.startswith("left alone, not resumed"), fraud.reason
    creates = [
        e
        for e in applier.store.list_audit(limit=1000)
        if e.op == "sagemaker:CreateEndpoint" and e.finding_id == stored.id
    ]
    # No call of the watchdog's: nothing "started", and the end is recorded as not its doing.
    assert not [e for e in creates if e.outcome == "started"]
    assert [e.detail for e in creates if e.outcome == "done"] == [
        "InService; not changed by the watchdog"
    ]
    assert len(left_alone(applier)) == 1

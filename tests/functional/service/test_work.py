"""The work a click leaves for after Slack's 3 seconds, done for real: the Exempt tag lands on
the resource in (moto's) AWS, the finding is resolved, the clicker hears back through the
response_url, and the finding's message in the local Slack is edited to say so."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from watchdog_sandbox.slack_api import Call, Posted, SlackApi

from tests.fakes import FakeClock
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.approvals.record import record_approval
from watchdog.findings import finding_id
from watchdog.notify.notifier import notify
from watchdog.notify.slack import BotSender
from watchdog.records import ResourceRecord
from watchdog.service.context import Service, build_service
from watchdog.service.work import Work, perform
from watchdog.settings import Settings
from watchdog.store.base import Approval, PostedMessage, Store
from watchdog.store.sqlite import SqliteStore

ALICE = "U0ALICE001"
CHANNEL = "C0FINOPS01"
ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(channels={"#finops": CHANNEL}) as api:
        yield api


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


def service_for(store: Store, slack: SlackApi, **fields: Any) -> Service:
    settings: dict[str, Any] = {
        "slack_channel": "#finops",
        # Replies go only to Slack's hosts or this one's: the local Slack's response_urls.
        "slack_api_url": slack.api_url,
        "regions": REGION,
        "cost_explorer": False,
    }
    return build_service(
        Settings.model_validate(settings | fields),
        store,
        sender=BotSender(slack.token, slack.api_url),
        clock=FakeClock(NOW),
    )


def announce(service: Service, slack: SlackApi, which: str = "f-1") -> tuple[PostedMessage, Posted]:
    """Post the finding's alert as the cycle that found it ("r-1") would."""
    assert service.sender is not None
    result = notify(service.store, service.sender, service.notify_options, NOW, run_id="r-1")
    assert result.posted == 1 and result.failed == []
    reference = service.store.get_message(which)
    assert reference is not None
    message = slack.message(reference.channel, reference.ts)
    assert message is not None and message.channel == CHANNEL
    return reference, message


def calls(slack: SlackApi, method: str) -> list[Call]:
    return [c for c in slack.calls if c.method == method]


def notebook(name: str = "nb") -> ResourceRecord:
    """A real (moto) notebook instance, as the inventory records it."""
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    arn = sagemaker.create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t2.medium",
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/x",
    )["NotebookInstanceArn"]
    return ResourceRecord(
        kind="sagemaker-notebook-instance",
        arn=arn,
        name=name,
        account=ACCOUNT,
        region=REGION,
        status="InService",
        instance_type="ml.t2.medium",
        instance_count=1,
    )


def tags(arn: str) -> dict[str, str]:
    answer = boto3.client("sagemaker", region_name=REGION).list_tags(ResourceArn=arn)
    return {t["Key"]: t["Value"] for t in answer["Tags"]}


def click_exempt(service: Service, slack: SlackApi, reference: PostedMessage) -> None:
    """What the worker does after Alice's Exempt click on the announced message."""
    perform(
        Work(
            task="exempt",
            finding_id="f-1",
            user=f"slack:{ALICE}",
            response_url=slack.response_url(reference.channel, reference.ts),
        ),
        service,
    )


def test_exempt_tags_the_resource_resolves_the_finding_and_edits_the_message(
    aws: None, slack: SlackApi, store: Store
) -> None:
    record = notebook()
    store.save_findings("r-1", [finding(resource=record, action="stop", steps=())], NOW)
    service = service_for(store, slack)
    reference, before = announce(service, slack)
    assert "Exempt" in str(before.blocks)

    click_exempt(service, slack, reference)

    assert tags(record.arn)["watchdog:exempt"] == "true"
    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "resolved"
    assert stored.state_detail == f"exempted by slack:{ALICE} (tagged watchdog:exempt=true)"
    assert len(calls(slack, "chat.update")) == 1
    after = slack.message(reference.channel, reference.ts)
    assert after is not None and after.updates == 1
    assert "Resolved" in after.text and f"<@{ALICE}>" in after.text
    assert "Resolved" in str(after.blocks)
    assert not [b for b in after.blocks if b["type"] == "actions"]  # no buttons left
    assert calls(slack, "response_url") == []  # nothing to tell the clicker on success
    shown = store.get_message("f-1")
    assert shown is not None and shown.shown_state == "resolved"


def test_exempt_on_a_resource_aws_cannot_tag_tells_the_clicker_and_changes_nothing(
    aws: None, slack: SlackApi, store: Store
) -> None:
    gone = notebook().model_copy(
        update={"arn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:notebook-instance/gone"}
    )
    store.save_findings("r-1", [finding(resource=gone, action="stop", steps=())], NOW)
    service = service_for(store, slack)
    reference, _ = announce(service, slack)

    click_exempt(service, slack, reference)

    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "open"
    replies = calls(slack, "response_url")
    assert len(replies) == 1
    assert replies[0].params["response_type"] == "ephemeral"
    assert str(replies[0].params["text"]).startswith("Could not tag nb exempt:")
    assert calls(slack, "chat.update") == []


def test_a_reply_reaches_only_the_clicker_through_the_response_url(
    slack: SlackApi, store: Store
) -> None:
    store.save_findings("r-1", [finding()], NOW)
    service = service_for(store, slack)
    reference, before = announce(service, slack)
    text = f"<@{ALICE}> is not among the approvers for teardowns"

    perform(
        Work(
            task="reply",
            finding_id="f-1",
            response_url=slack.response_url(reference.channel, reference.ts),
            text=text,
        ),
        service,
    )

    replies = calls(slack, "response_url")
    assert len(replies) == 1 and replies[0].status == 200
    assert replies[0].params["response_type"] == "ephemeral"
    assert replies[0].params["text"] == text
    assert replies[0].params.get("replace_original") in (False, "false")
    # The channel's message is as it was: the reply is the clicker's alone.
    assert slack.message(reference.channel, reference.ts) == before
    assert calls(slack, "chat.update") == []


def test_update_edits_the_message_once_after_a_state_change(slack: SlackApi, store: Store) -> None:
    store.save_findings("r-1", [finding()], NOW)
    service = service_for(store, slack)
    reference, _ = announce(service, slack)
    until = NOW + timedelta(days=7)
    store.set_finding_state("f-1", "snoozed", f"snoozed by slack:{ALICE} for 7 days", NOW, until)

    perform(Work(task="update", finding_id="f-1", user=f"slack:{ALICE}"), service)

    assert len(calls(slack, "chat.update")) == 1
    after = slack.message(reference.channel, reference.ts)
    assert after is not None and after.updates == 1
    assert "Snoozed" in after.text and f"<@{ALICE}>" in after.text
    assert f"until {until:%Y-%m-%d %H:%M} UTC" in after.text

    # Once the message shows the state, doing the work again sends nothing.
    perform(Work(task="update", finding_id="f-1", user=f"slack:{ALICE}"), service)

    assert len(calls(slack, "chat.update")) == 1
    assert calls(slack, "chat.postMessage") and len(calls(slack, "chat.postMessage")) == 1


def test_an_approval_the_fresh_plan_no_longer_backs_runs_nothing_and_says_why(
    aws: None, slack: SlackApi, store: Store, tmp_path: Path
) -> None:
    record = notebook()
    # No shipped policy flags a brand-new notebook: the cycle the approval starts finds nothing.
    store.save_findings("r-1", [finding(resource=record, action="stop", steps=())], NOW)
    service = service_for(store, slack, cache_dir=str(tmp_path / "cache"), mode="enforce")
    reference, _ = announce(service, slack)
    store.set_finding_state("f-1", "approved", f"approved by slack:{ALICE} via slack", NOW)

    perform(execute(reference, slack), service)

    assert status("nb") == "InService"
    replies = calls(slack, "response_url")
    assert [r.params["response_type"] for r in replies] == ["ephemeral"]
    assert str(replies[0].params["text"]).startswith(
        f"Nothing was run: no stop, delete or park finding for {record.arn}; "
    )


def test_an_approval_in_dry_run_mode_changes_nothing_and_says_why(
    aws: None, slack: SlackApi, store: Store, tmp_path: Path
) -> None:
    record = notebook()
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "stop.yaml").write_text(
        "policies:\n"
        "  - name: stop-notebooks\n"
        "    resource: [sagemaker-notebook-instance]\n"
        "    conditions: {status: [InService]}\n"
        "    action: stop\n"
        "    owner: {default: '#finops'}\n"
    )
    made = finding_id("stop-notebooks", record.arn, "stop")
    store.save_findings("r-1", [finding(id=made, resource=record, action="stop", steps=())], NOW)
    service = service_for(store, slack, cache_dir=str(tmp_path / "cache"), policies=str(policies))
    reference, _ = announce(service, slack, made)
    approval = Approval(
        id="ap-1",
        finding_id=made,
        action="stop",
        approver=f"slack:{ALICE}",
        via="slack",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=24),
    )
    record_approval(store, approval)

    perform(execute(reference, slack, made), service)

    assert status("nb") == "InService"
    replies = calls(slack, "response_url")
    assert [r.params["response_type"] for r in replies] == ["ephemeral"]
    assert "dry-run mode (WATCHDOG_MODE), so nothing was changed" in str(replies[0].params["text"])
    # The approval is kept for when the mode is enforce.
    assert store.pending_approval(made, "stop", NOW) == approval
    after = slack.message(reference.channel, reference.ts)
    assert after is not None and "Approved" in after.text and f"<@{ALICE}>" in after.text


def execute(reference: PostedMessage, slack: SlackApi, which: str = "f-1") -> Work:
    return Work(
        task="execute",
        finding_id=which,
        user=f"slack:{ALICE}",
        response_url=slack.response_url(reference.channel, reference.ts),
    )


def status(name: str) -> str:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return str(
        sagemaker.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceStatus"]
    )


def test_exempt_reaches_an_account_named_by_its_role_arn(
    aws: None, slack: SlackApi, store: Store
) -> None:
    role = "arn:aws:iam::210987654321:role/WatchdogReader"
    credentials = boto3.client("sts", region_name=REGION).assume_role(
        RoleArn=role, RoleSessionName="seed"
    )["Credentials"]
    member = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=REGION,
    ).client("sagemaker")
    arn = member.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t2.medium",
        RoleArn="arn:aws:iam::210987654321:role/x",
    )["NotebookInstanceArn"]
    record = ResourceRecord(
        kind="sagemaker-notebook-instance",
        arn=arn,
        name="nb",
        account="210987654321",
        region=REGION,
        status="InService",
    )
    store.save_findings("r-1", [finding(resource=record, action="stop", steps=())], NOW)
    service = service_for(store, slack, accounts=role)
    reference, _ = announce(service, slack)

    click_exempt(service, slack, reference)

    tagged = {t["Key"]: t["Value"] for t in member.list_tags(ResourceArn=arn)["Tags"]}
    assert tagged.get("watchdog:exempt") == "true"
    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "resolved"

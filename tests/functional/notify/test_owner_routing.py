"""Where an alert goes is not the tagger's choice: resources tagged in the sandbox (which takes
only what AWS takes), their owner read back from AWS as the policies read it, and the cycle's
posts in the local Slack. An owner tag names a channel only if WATCHDOG_SLACK_CHANNELS lists it;
any other lands in the default channel, naming the owner as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from watchdog_sandbox.slack_api import Posted, SlackApi

from tests.fakes import FakeClock
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.notify.notifier import notify
from watchdog.notify.slack import BotSender
from watchdog.records import ResourceRecord
from watchdog.service.context import build_service
from watchdog.settings import Settings
from watchdog.store.base import Store
from watchdog.store.sqlite import SqliteStore

ACCOUNT, REGION = "123456789012", "us-east-1"
FINOPS, TEAM = "C0FINOPS01", "C0TEAMML01"
OWNER_TAGS = ("owner", "slack-channel")  # the shipped policies' owner.tags, in their order


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(channels={"#finops": FINOPS, "#ml-team": TEAM}) as api:
        yield api


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


def tagged_notebook(name: str, tags: dict[str, str]) -> ResourceRecord:
    """A notebook tagged through the sandbox, its tags read back as the inventory reads them."""
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    arn = sagemaker.create_notebook_instance(
        NotebookInstanceName=name,
        InstanceType="ml.t3.medium",
        RoleArn=f"arn:aws:iam::{ACCOUNT}:role/x",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["NotebookInstanceArn"]
    read = {t["Key"]: t["Value"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    return ResourceRecord(
        kind="sagemaker-notebook-instance",
        arn=arn,
        name=name,
        account=ACCOUNT,
        region=REGION,
        status="InService",
        tags=read,
    )


def owner(record: ResourceRecord) -> str | None:
    return next((record.tags[t] for t in OWNER_TAGS if record.tags.get(t)), None)


def cycle(store: Store, slack: SlackApi, records: list[ResourceRecord], **fields: Any) -> None:
    findings = [
        finding(id=f"f-{i}", resource=r, action="stop", steps=(), owner=owner(r))
        for i, r in enumerate(records)
    ]
    store.save_findings("r-1", findings, NOW)
    settings = {"slack_channel": "#finops", "regions": REGION, "cost_explorer": False} | fields
    service = build_service(
        Settings.model_validate(settings),
        store,
        sender=BotSender(slack.token, slack.api_url),
        clock=FakeClock(NOW),
    )
    assert service.sender is not None
    result = notify(service.store, service.sender, service.notify_options, NOW, run_id="r-1")
    assert result.failed == [] and result.posted == len(records)


def posted(slack: SlackApi) -> dict[str, Posted]:
    return {m.text.split()[2]: m for m in slack.messages()}


def test_an_owner_tag_routes_only_to_a_listed_channel(
    aws: None, slack: SlackApi, store: Store
) -> None:
    records = [
        tagged_notebook("listed-id", {"slack-channel": TEAM}),
        tagged_notebook("listed-name", {"slack-channel": "ml-team"}),
        tagged_notebook("unlisted-id", {"slack-channel": "C0ELSEWHR1"}),
        tagged_notebook("unlisted-name", {"owner": "approvals-anywhere"}),
    ]

    cycle(store, slack, records, slack_channels=f"{TEAM}, ml-team")

    by_name = posted(slack)
    assert by_name["listed-id"].channel == TEAM
    assert by_name["listed-name"].channel == TEAM
    assert by_name["unlisted-id"].channel == FINOPS
    assert "owner C0ELSEWHR1 (not a channel alerts may go to)" in str(by_name["unlisted-id"].blocks)
    assert by_name["unlisted-name"].channel == FINOPS
    assert "owner approvals-anywhere" in str(by_name["unlisted-name"].blocks)


def test_without_a_channel_list_no_tag_moves_an_alert(
    aws: None, slack: SlackApi, store: Store
) -> None:
    cycle(store, slack, [tagged_notebook("nb", {"slack-channel": TEAM})])

    (message,) = slack.messages()
    assert message.channel == FINOPS
    assert f"owner {TEAM} (not a channel alerts may go to)" in str(message.blocks)


def test_a_tag_aws_takes_is_shown_as_text(aws: None, slack: SlackApi, store: Store) -> None:
    """`@here`-style text and mrkdwn's _ * characters are what a SageMaker tag can hold; they
    reach Slack as the tag says, and `&`, which Slack reads as an entity, never unescaped."""
    record = tagged_notebook("nb", {"owner": "@here _everyone_"})
    record = record.model_copy(update={"name": "nb & <!channel>"})  # names AWS refuses too

    cycle(store, slack, [record])

    (message,) = slack.messages()
    # What Slack parses: the top-level text and every mrkdwn text (plain_text is shown as is).
    shown = message.text + "".join(mrkdwn(message.blocks))
    assert "owner @here _everyone_" in shown
    assert "<!channel>" not in shown and "nb &amp; &lt;!channel&gt;" in shown


def mrkdwn(node: Any) -> list[str]:
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in mrkdwn(value)]

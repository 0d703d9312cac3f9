"""The fanned-out cycle: the state machine's three Lambda calls (list the shards, run each,
notify once), run here through a thread pool as the Distributed Map would, find what one
cycle over the whole organization finds, and Slack hears once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest
from watchdog_sandbox.slack_api import SlackApi

from lambda_handler import handler
from tests.functional.conftest import organization_env
from tests.functional.demo_snapshot import seed_demo
from watchdog.store.dynamodb import create_table
from watchdog.store.open import open_store


@pytest.fixture
def organization(aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SlackApi]:
    seed_demo()
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    create_table(dynamodb, "single")
    with SlackApi() as slack:
        for name, value in {
            **organization_env(tmp_path),
            "WATCHDOG_SLACK_BOT_TOKEN": slack.token,
            "WATCHDOG_SLACK_API_URL": slack.api_url,
            "WATCHDOG_SLACK_CHANNEL": "#finops",
        }.items():
            monkeypatch.setenv(name, value)
        yield slack


def finding_ids(url: str) -> set[str]:
    store = open_store(url)
    try:
        return {s.finding.id for s in store.list_findings()}
    finally:
        store.close()


def test_shards_then_one_notification_find_what_one_cycle_finds(
    organization: SlackApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # One cycle over the whole organization first. It also leaves Cost Explorer's figures in
    # the shared cache: four shards starting on a cold cache race for its request budget
    # (4 a day, 2 a refresh), and those that lose judge no budget, so team-over-budget
    # findings came and went with thread timing.
    monkeypatch.setenv("WATCHDOG_STORE", "dynamodb://single")
    slack_token = os.environ.pop("WATCHDOG_SLACK_BOT_TOKEN")
    handler({"source": "aws.scheduler", "detail-type": "Scheduled Event"}, None)
    monkeypatch.setenv("WATCHDOG_SLACK_BOT_TOKEN", slack_token)

    # The shards share a SQLite store here: moto's in-process DynamoDB is not safe for
    # concurrent writes from threads (an item can be seen half-created), real DynamoDB is.
    fanned = f"sqlite:///{tmp_path / 'fanned.db'}"
    monkeypatch.setenv("WATCHDOG_STORE", fanned)
    listed = handler({"watchdog": "shards"}, None)
    shards: list[dict[str, Any]] = listed["shards"]

    def run(shard: dict[str, Any]) -> dict[str, Any]:
        event = {"watchdog": "shard", **shard, "started_at": listed["started_at"]}
        return handler(event, None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        summaries = list(pool.map(run, shards))
    posted_by_shards = len(organization.messages())
    notified = handler({"watchdog": "notify", "started_at": listed["started_at"]}, None)

    assert len(shards) == 4 and listed["problems"] == []
    assert {(s["account"], s["region"]) for s in summaries} == {
        (s["account"], s["region"]) for s in shards
    }
    assert all(s["errors"] == [] for s in summaries)
    assert finding_ids(fanned) == finding_ids("dynamodb://single") != set()
    assert posted_by_shards == 0  # the shards leave Slack to the one notification
    assert notified["slack"]["posted"] == len(finding_ids(fanned))
    assert len(organization.messages()) == notified["slack"]["posted"]

"""Adding a kind is one module: a kind declared here, in a test, and registered for the test's
duration, is scanned, evaluated, planned, torn down (recorded) and restored by the product's
shared stages, with no other file knowing its name.

The throwaway kind is an SQS queue (moto emulates SQS faithfully enough: list, attributes,
tags, delete, create), declared exactly as a real kind module would declare it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.fakes import FakeClock
from watchdog.act import ExecOptions, SessionClients, apply
from watchdog.act.restore import restore
from watchdog.inventory import ScanRequest
from watchdog.kinds import registered
from watchdog.kinds._tags import TagDialect
from watchdog.kinds.base import KindSpec, Operation, Recreate, Restore, ScanContext, Teardown
from watchdog.policies.schema import Policy
from watchdog.records import ResourceRecord
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
KIND = "test-sqs-queue"
# SQS keeps no creation time we can backdate: the test says how old the queue is in a tag.
AGE_TAG = "test:age-days"


def _url(client: Any, name: str) -> str:
    return str(client.get_queue_url(QueueName=name)["QueueUrl"])


def _name_of(arn: str) -> str:
    return arn.rsplit(":", 1)[1]


def collect(ctx: ScanContext) -> list[ResourceRecord]:
    sqs = ctx.client("sqs")
    records = []
    for page in ctx.paginate("sqs", "ListQueues"):
        for url in page.get("QueueUrls", []):
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
            tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
            age = timedelta(days=int(tags.get(AGE_TAG, "0")))
            records.append(
                ResourceRecord(
                    kind=KIND,
                    arn=attributes["Attributes"]["QueueArn"],
                    name=url.rsplit("/", 1)[1],
                    account=ctx.account,
                    region=ctx.region,
                    created_at=datetime.now(UTC) - age,
                    tags=tags,
                )
            )
    return records


def describe(client: Any, record: ResourceRecord) -> dict[str, Any] | None:
    try:
        url = _url(client, record.name)
    except client.exceptions.QueueDoesNotExist:  # SQS's own dialect for "gone"
        return None
    answer = client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    return dict(answer["Attributes"])


def add_queue_tags(request: dict[str, Any], recorded: Mapping[str, Any]) -> dict[str, Any]:
    return {**request, "tags": dict(recorded.get("tags") or {})}


SPEC = KindSpec(
    kind=KIND,
    service="sqs",
    tag_type="sqs:queue",
    depends_on=(),
    collect=collect,
    teardown=Teardown(
        delete=Operation(
            "sqs:DeleteQueue",
            invoke=lambda client, record: client.delete_queue(QueueUrl=_url(client, record.name)),
        ),
        describe=describe,
    ),
    tag_dialect=TagDialect(
        read=lambda client, arn: client.list_queue_tags(QueueUrl=_url(client, _name_of(arn))).get(
            "Tags", {}
        ),
        write=lambda client, arn, key, value: client.tag_queue(
            QueueUrl=_url(client, _name_of(arn)), Tags={key: value}
        ),
        read_action="sqs:ListQueueTags",
        write_action="sqs:TagQueue",
    ),
    restore=Restore(
        recreate=Recreate(
            op="sqs:CreateQueue",
            request=lambda client, described, name: {
                "QueueName": name,
                "Attributes": {"VisibilityTimeout": described["VisibilityTimeout"]},
            },
            noun="queue",
            add_tags=add_queue_tags,
        )
    ),
)


@pytest.fixture
def queue_kind(aws: None) -> Iterator[KindSpec]:
    with registered(SPEC) as spec:
        yield spec


def sqs() -> Any:
    return boto3.client("sqs", region_name=REGION)


def test_a_kind_declared_in_one_module_is_scanned_planned_torn_down_and_restored(
    queue_kind: KindSpec, tmp_path: Path
) -> None:
    sqs().create_queue(
        QueueName="forgotten",
        Attributes={"VisibilityTimeout": "45"},
        tags={AGE_TAG: "30", "team": "search"},
    )
    sqs().create_queue(QueueName="fresh", tags={AGE_TAG: "0"})
    policy = Policy.model_validate(
        {
            "name": "old-queues",
            "resource": [KIND],
            "conditions": {"older_than": "7d"},
            "action": "delete",
            "approval": {"mode": "automatic", "grace": "0h"},
        }
    )
    store = SqliteStore(tmp_path / "watchdog.db")

    result = apply(
        ScanRequest(regions=[REGION]),
        [policy],
        store,
        ExecOptions(execute=True),
        clock=FakeClock(datetime.now(UTC)),
        signal_options=SignalOptions(
            lookback=timedelta(days=7), cache_dir=tmp_path, cost_explorer=False
        ),
    )

    [outcome] = result.findings
    assert outcome.fate == "done", outcome.reason
    assert [s.op for s in outcome.steps] == ["sqs:DeleteQueue"]
    assert [u.rsplit("/", 1)[1] for u in sqs().list_queues()["QueueUrls"]] == ["fresh"]
    [deleted] = [e for e in store.list_audit() if e.outcome == "done"]
    assert deleted.description["describe"]["VisibilityTimeout"] == "45"

    restored = restore(
        store,
        deleted.id,
        SessionClients(),
        datetime.now(UTC),
        "run-restore",
        execute=True,
    )

    assert [a.op for a in restored.plan.actions] == ["sqs:CreateQueue"]
    url = _url(sqs(), "forgotten")
    attributes = sqs().get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["VisibilityTimeout"] == "45"
    assert sqs().list_queue_tags(QueueUrl=url)["Tags"]["team"] == "search"
    store.close()

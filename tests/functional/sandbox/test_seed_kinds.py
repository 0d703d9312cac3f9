"""A kind's own sandbox module seeds its demo resources through the seed's hook
(`RegionPlan.kinds`), and the summary reports them as it does the built-in kinds'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_kinds import SeedContext
from watchdog_sandbox.seed_plan import RegionPlan
from watchdog_sandbox.seed_summary import SeededResource

REGION = "us-east-1"


@dataclass(frozen=True)
class QueueSeed:
    """A made-up kind's demo resource: an SQS queue, tagged like the demo's resources."""

    name: str
    tags: dict[str, str]

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        sqs = boto3.client("sqs", region_name=ctx.region)
        sqs.create_queue(QueueName=self.name, tags=self.tags)
        return [ctx.seeded("test-sqs-queue", self.name, self.tags, idle=True)]


def test_a_kind_seed_in_the_plan_is_created_and_reported(aws: None) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    plan = RegionPlan(
        kinds=(
            QueueSeed("forgotten", {"team": "search"}),
            QueueSeed("kept", {"watchdog:exempt": "true"}),
        )
    )

    seeded, _ = seed_region(clients, "123456789012", REGION, plan, datetime.now(UTC))

    queues = boto3.client("sqs", region_name=REGION).list_queues()["QueueUrls"]
    assert sorted(url.rsplit("/", 1)[1] for url in queues) == ["forgotten", "kept"]
    assert [(r.kind, r.name, r.idle, r.exempt) for r in seeded] == [
        ("test-sqs-queue", "forgotten", True, False),
        ("test-sqs-queue", "kept", True, True),
    ]

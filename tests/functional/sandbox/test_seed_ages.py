"""The demo's ages, seeded at the real time: what the inventory reads and what that implies.

moto stamps CreationTime with the real clock; the seed backdates every resource to the age its
plan states, so right after seeding the demo already has endpoints older than the metrics window
(provably idle) next to one too young to judge.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from watchdog_sandbox import install
from watchdog_sandbox.seed import (
    DEMO_EXTERNAL_ID,
    DEMO_REGIONS,
    MEMBER_ROLE_NAME,
    SeedSummary,
    seed_demo_account,
)
from watchdog_sandbox.seed_ages import SETUP_LEAD

from tests.conftest import FAKE_AWS_ENV
from tests.functional.sandbox.seed_helpers import metric_values
from watchdog.inventory import ScanRequest, scan
from watchdog.records import ResourceRecord

WINDOW = timedelta(days=7)
EAST = "us-east-1"


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[SeedSummary, list[ResourceRecord]]]:
    """The demo seeded at the real time, and the whole organisation as the inventory sees it."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.delenv(name, raising=False)
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        install()
        with mock_aws():
            session = boto3.Session(region_name=EAST)
            summary = seed_demo_account(session)
            request = ScanRequest(
                regions=list(DEMO_REGIONS),
                accounts="organization",
                member_role=MEMBER_ROLE_NAME,
                external_id=DEMO_EXTERNAL_ID,
            )
            result = scan(request, session)
            assert result.errors == []
            yield summary, result.resources


def utc(moment: datetime) -> datetime:
    # moto reports custom models' times without a zone, in local time (as botocore reads them).
    return moment if moment.tzinfo is not None else moment.astimezone()


def test_every_seeded_resource_states_its_age(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, _ = seeded
    assert [r.name for r in summary.resources if r.created_at is None] == []
    assert all(r.created_at is not None and r.created_at < summary.now for r in summary.resources)


def test_the_inventory_reads_the_plan_ages(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, records = seeded
    found: dict[tuple[str, str, str, str], ResourceRecord] = {
        (r.account, r.region, r.kind, _app_name(r)): r for r in records
    }
    for seeded_resource in summary.resources:
        key = (
            seeded_resource.account_id,
            seeded_resource.region,
            seeded_resource.kind,
            seeded_resource.name,
        )
        record = found[key]
        assert record.created_at is not None and seeded_resource.created_at is not None
        # Within a second: custom models' times are whole seconds.
        assert abs(utc(record.created_at) - seeded_resource.created_at) < timedelta(seconds=1), key


def _app_name(record: ResourceRecord) -> str:
    if record.kind != "sagemaker-app":
        return record.name
    attributes = record.attributes
    return f"{attributes['owner_name']}/{attributes['app_type']}/{record.name}"


def test_idle_endpoints_are_old_enough_except_the_new_one(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, _ = seeded
    provable = summary.idle_names("sagemaker-endpoint", window=WINDOW)
    assert provable == [
        "faq-bot-serverless",
        "llama3-8b-chat-poc",
        "mistral-7b-eval",
        "mistral-7b-marketplace",
        "orphaned-west-test",
        "rag-poc",
        "summarizer-team-b",
    ]
    # Idle by its metrics, but two days old: "unknown", never idle.
    assert set(summary.idle_names("sagemaker-endpoint")) - set(provable) == {"chatbot-west-poc"}
    assert summary.idle_names("sagemaker-inference-component", window=WINDOW) == ["mistral-7b-ic"]
    assert summary.idle_names("bedrock-provisioned-throughput", window=WINDOW) == [
        "legal-review-pt",
        "support-bot-pt",
    ]


def test_busy_endpoints_are_older_than_the_window_too(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, _ = seeded
    busy = [r for r in summary.select("sagemaker-endpoint") if not r.idle]
    assert busy and all(r.older_than(WINDOW, summary.now) for r in busy)


def test_running_times_straddle_the_policy_thresholds(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    """Notebooks run since their LastModifiedTime, apps since their CreationTime."""
    _, records = seeded
    now = datetime.now(UTC)

    def running_for(kind: str, name: str) -> timedelta:
        (record,) = [r for r in records if r.kind == kind and r.name == name]
        since = record.last_modified_at or record.created_at
        assert since is not None
        return now - since

    notebook = "sagemaker-notebook-instance"
    assert timedelta(days=3) <= running_for(notebook, "alice-exploration") < timedelta(days=4)
    assert running_for(notebook, "west-analytics") < timedelta(hours=12)
    assert running_for(notebook, "legal-sandbox") > timedelta(hours=24)
    assert running_for(notebook, "legacy-experiments") >= timedelta(days=40)  # stopped since
    by_owner = {
        r.attributes["owner_name"]: r
        for r in records
        if r.kind == "sagemaker-app"
        and r.attributes.get("app_type") not in ("JupyterServer", "Canvas")
    }
    for owner, at_least in (("team-shared", timedelta(days=5)), ("alice", timedelta(days=2))):
        created = by_owner[owner].created_at
        assert created is not None and now - created >= at_least


def test_configs_and_models_predate_their_first_endpoint(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, _ = seeded

    def created(kind: str, name: str, account: str | None = None) -> datetime:
        (resource,) = [
            r for r in summary.select(kind, region=EAST, account_id=account) if r.name == name
        ]
        assert resource.created_at is not None
        return resource.created_at

    management = summary.management_account_id
    shared = created("sagemaker-endpoint-config", "summarizer-shared-config", management)
    assert shared == created("sagemaker-endpoint", "summarizer-team-a", management) - SETUP_LEAD
    # llama3 serves the 60-day-old exempt endpoint, so it is older than that.
    llama = created("sagemaker-model", "llama3-8b-instruct", management)
    oldest = created("sagemaker-endpoint", "research-baseline", management)
    assert llama == oldest - 2 * SETUP_LEAD


def test_metrics_never_predate_the_resource(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, _ = seeded
    session = boto3.Session(region_name=EAST)
    dims = [("EndpointName", "llama3-8b-chat-poc"), ("VariantName", "AllTraffic")]
    cpu = metric_values(
        session, EAST, "/aws/sagemaker/Endpoints", "CPUUtilization", dims, summary.now, "Average"
    )
    assert len(cpu) == 168  # a full week for an endpoint three weeks old

    (young,) = [r for r in summary.resources if r.name == "chatbot-west-poc"]
    assert young.created_at is not None
    cloudwatch = session.client("cloudwatch", region_name="us-west-2")
    points = cloudwatch.get_metric_statistics(
        Namespace="/aws/sagemaker/Endpoints",
        MetricName="CPUUtilization",
        Dimensions=[
            {"Name": "EndpointName", "Value": "chatbot-west-poc"},
            {"Name": "VariantName", "Value": "AllTraffic"},
        ],
        StartTime=summary.now - timedelta(days=8),
        EndTime=summary.now,
        Period=3600,
        Statistics=["Average"],
    )["Datapoints"]
    assert 40 < len(points) <= 48
    assert min(p["Timestamp"] for p in points) >= young.created_at


def test_commitments_run_from_the_purchase(
    seeded: tuple[SeedSummary, list[ResourceRecord]],
) -> None:
    summary, records = seeded
    (legal,) = [r for r in records if r.name == "legal-review-pt"]
    assert legal.created_at is not None and legal.billing.committed_until is not None
    assert summary.now - legal.created_at >= timedelta(days=30)
    # Six months from a purchase 30 days ago: about five months still to run.
    left = legal.billing.committed_until - summary.now
    assert timedelta(days=140) < left < timedelta(days=155)

"""Determinism of the demo seed, and the benchmark seeder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from watchdog_sandbox import install
from watchdog_sandbox.seed import SeedSummary, seed_demo_account, seed_many_endpoints

from tests.functional.sandbox.seed_helpers import inventory, metric_values

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
REGION = "us-east-1"


def _seed_once() -> tuple[SeedSummary, list[float]]:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        summary = seed_demo_account(session, now=NOW)
        dims = [("EndpointName", "fraud-scoring-prod"), ("VariantName", "AllTraffic")]
        cpu = metric_values(
            session, REGION, "/aws/sagemaker/Endpoints", "CPUUtilization", dims, NOW, "Average"
        )
    return summary, cpu


@pytest.mark.slow  # left out of make test-fast; make test runs it
def test_demo_seed_is_deterministic() -> None:
    install()
    first, first_cpu = _seed_once()
    second, second_cpu = _seed_once()

    def shape(summary: SeedSummary) -> list[tuple[object, ...]]:
        # Account ids are AWS's to assign (moto draws the member's at random): compare roles.
        return [
            (
                r.account_id == summary.management_account_id,
                r.kind,
                r.region,
                r.name,
                r.idle,
                r.idle_variants,
                r.exempt,
            )
            for r in summary.resources
        ]

    assert shape(first) == shape(second)
    assert first.metric_datums == second.metric_datums
    assert first_cpu == second_cpu and len(first_cpu) == 168


def test_many_endpoints(aws: None) -> None:
    session = boto3.Session(region_name=REGION)
    summary = seed_many_endpoints(40, REGION, session, notebooks=4, profiles=3, metric_hours=2)

    assert inventory(session, REGION) == {
        "sagemaker-endpoint": 40,
        "sagemaker-endpoint-config": 40,
        "sagemaker-model": 5,
        "sagemaker-notebook-instance": 4,
        "sagemaker-domain": 1,
        "sagemaker-user-profile": 3,
        "sagemaker-space": 1,
        "sagemaker-app": 6,  # JupyterServer for all, KernelGateway for two, one space app
    }
    assert summary.counts()["sagemaker-endpoint"] == 40
    assert len(summary.idle_names("sagemaker-endpoint", include_exempt=True)) == 14  # i % 3 == 0
    # Each endpoint has its own config; five models are shared between all of them.
    sm = session.client("sagemaker", region_name=REGION)
    config = sm.describe_endpoint_config(EndpointConfigName="bench-ep-00007-config")
    assert config["ProductionVariants"][0]["ModelName"] == "bench-model-2"
    dims = [("EndpointName", "bench-ep-00001"), ("VariantName", "AllTraffic")]
    invocations = metric_values(session, REGION, "AWS/SageMaker", "Invocations", dims, summary.now)
    assert len(invocations) == 2 and min(invocations) > 0


def test_many_endpoints_twice_in_one_account(aws: None) -> None:
    """A benchmark may seed several regions of one account (IAM is global)."""
    session = boto3.Session(region_name=REGION)
    seed_many_endpoints(3, REGION, session, notebooks=0, profiles=1)
    seed_many_endpoints(3, "us-west-2", session, notebooks=0, profiles=1)
    assert inventory(session, "us-west-2")["sagemaker-endpoint"] == 3


def test_demo_history_counts_back_from_the_given_now(aws: None) -> None:
    """The plan's ages and the metrics both end at `now`, so the demo can be seeded as of any
    time; moto's own clock (the real one) shows only in the summary's `created_at`."""
    ahead = datetime.now(UTC) + timedelta(days=8)
    session = boto3.Session(region_name=REGION)
    summary = seed_demo_account(session, now=ahead)

    sm = session.client("sagemaker", region_name=REGION)
    created = sm.describe_endpoint(EndpointName="llama3-8b-chat-poc")["CreationTime"]
    assert abs(created - (ahead - timedelta(days=21))) < timedelta(milliseconds=1)
    assert summary.created_at <= datetime.now(UTC) < ahead
    dims = [("EndpointName", "llama3-8b-chat-poc"), ("VariantName", "AllTraffic")]
    cpu = metric_values(session, REGION, "/aws/sagemaker/Endpoints", "CPUUtilization", dims, ahead)
    assert len(cpu) == 168

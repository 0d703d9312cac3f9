"""A Bedrock Marketplace endpoint through the whole flow against the in-process sandbox: scanned
and linked to its SageMaker endpoint, judged idle by that endpoint's traffic, deleted through
Bedrock (which takes the SageMaker endpoint with it), then its config and model; an
exempt-tagged one is never touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from hypothesis import strategies as st
from watchdog_sandbox.kinds.bedrock_marketplace_endpoints import MarketplaceEndpointSeed
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from tests.fakes import FakeClock
from tests.functional.generated_accounts import AUTOMATIC, EXEMPTIONS, AccountPart, Drawn
from watchdog.act import ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
KIND = "bedrock-marketplace-endpoint"
OWNER = {"owner": "bob@example.com"}


def policy(kind: str) -> Policy:
    return Policy.model_validate(
        {
            "name": f"idle-{kind}",
            "resource": [kind],
            "conditions": {"idle": {"metric": "invocations", "window": "7d"}, "older_than": "7d"},
            "action": "delete",
            "approval": {"mode": "automatic", "grace": "0h"},
        }
    )


def seed(now: datetime) -> None:
    clients = AwsClients(boto3.Session(region_name=REGION))
    account = boto3.client("sts", region_name=REGION).get_caller_identity()["Account"]
    plan = RegionPlan(
        kinds=(
            MarketplaceEndpointSeed("mkt-idle", "mistral-7b", "ml.g5.2xlarge", OWNER, 14),
            MarketplaceEndpointSeed(
                "mkt-kept", "mistral-7b", "ml.g5.2xlarge", {"watchdog:exempt": "true"}, 14
            ),
        )
    )
    seed_region(clients, account, REGION, plan, now)


def endpoints() -> set[str]:
    sm = boto3.client("sagemaker", region_name=REGION)
    return {e["EndpointName"] for e in sm.list_endpoints()["Endpoints"]}


def registered() -> set[str]:
    bedrock = boto3.client("bedrock", region_name=REGION)
    listed = bedrock.list_marketplace_model_endpoints()["marketplaceModelEndpoints"]
    return {e["endpointArn"].rsplit("/", 1)[1] for e in listed}


@pytest.mark.parametrize("kind", [KIND, "sagemaker-endpoint"])
def test_an_idle_one_is_deleted_through_bedrock_and_an_exempt_one_is_never_touched(
    aws: None, tmp_path: Path, kind: str
) -> None:
    now = datetime.now(UTC)
    seed(now)
    assert registered() == {"mkt-idle", "mkt-kept"}
    store = SqliteStore(tmp_path / "watchdog.db")

    result = apply(
        ScanRequest(regions=[REGION]),
        [policy(kind)],
        store,
        ExecOptions(execute=True),
        clock=FakeClock(now),
        signal_options=SignalOptions(
            lookback=timedelta(days=7), cache_dir=tmp_path, cost_explorer=False
        ),
    )

    [outcome] = result.findings
    assert outcome.fate == "done", outcome.reason
    assert [s.op for s in outcome.steps] == [
        "bedrock:DeleteMarketplaceModelEndpoint",
        "sagemaker:DeleteEndpointConfig",
        "sagemaker:DeleteModel",
    ]
    # Bedrock deleted the SageMaker endpoint; the exempt one and its endpoint are untouched.
    assert registered() == {"mkt-kept"}
    assert endpoints() == {"mkt-kept"}
    done = [e for e in store.list_audit() if e.outcome == "done"]
    assert sorted(e.op for e in done) == sorted(s.op for s in outcome.steps)
    [bedrock_entry] = [e for e in done if e.op.startswith("bedrock:")]
    assert bedrock_entry.description["describe"]["endpointStatus"] == "InService"
    # The endpoint's instances are the cost (its own finding prices them), and the Bedrock
    # call is what stops them; the marketplace record's cost is billed through the endpoint.
    assert bedrock_entry.monthly_cost_saved_usd == outcome.monthly_cost_usd
    assert result.summary.monthly_savings_usd == round(outcome.monthly_cost_usd or 0.0, 2)
    store.close()


@st.composite
def generated_endpoint(draw: st.DrawFn, i: int) -> Drawn:
    """An endpoint for the generated accounts (tests/functional/test_generated_accounts.py)."""
    busy = draw(st.booleans())
    exempt = draw(st.sampled_from(EXEMPTIONS))
    age_days = draw(st.sampled_from([3, 14]))
    name = f"marketplace-{i}"
    seed = MarketplaceEndpointSeed(
        name,
        "huggingface-llm-mistral-7b",
        "ml.g5.2xlarge",
        {"team": "nlp", **exempt},
        age_days,
        busy=busy,
    )
    protected = busy or bool(exempt)
    return Drawn(seed, KIND, name, protected, not protected and age_days > 7)


def sagemaker_endpoints() -> set[str]:
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    return {e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]}


GENERATED = AccountPart(
    kind=KIND,
    draw=generated_endpoint,
    most=2,
    policy={
        "name": "delete-idle-marketplace",
        "resource": [KIND],
        "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
        "action": "delete",
        "approval": AUTOMATIC,
    },
    alive=sagemaker_endpoints,
)

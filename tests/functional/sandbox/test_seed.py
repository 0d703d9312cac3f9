"""The demo seed, checked through boto3 (what the scanner will see), not through its summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from watchdog_sandbox import install
from watchdog_sandbox.kinds import sandbox_kinds
from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, MEMBER_ROLE_NAME, SeedSummary, seed_demo_account

from tests.conftest import FAKE_AWS_ENV
from tests.functional.sandbox.seed_helpers import inventory, metric_values, tags_of

NOW = datetime(2026, 3, 2, 12, 30, tzinfo=UTC)
EAST, WEST = "us-east-1", "us-west-2"
INVOCATIONS = ("AWS/SageMaker", "Invocations")
ENDPOINTS_NS = "/aws/sagemaker/Endpoints"

# What the demo promises per account and region, written out so a change to it is deliberate.
MANAGEMENT_EAST = {
    "sagemaker-endpoint": 14,  # one hosts a Bedrock Marketplace model
    "sagemaker-endpoint-config": 13,  # two endpoints share one config
    "sagemaker-model": 9,
    "sagemaker-notebook-instance": 4,
    "sagemaker-domain": 1,
    "sagemaker-user-profile": 2,
    "sagemaker-space": 2,
    "sagemaker-app": 6,  # two of them Canvas sessions (sagemaker_canvas.py)
    "sagemaker-inference-component": 2,
    "sagemaker-mlflow-tracking-server": 1,
    "bedrock-custom-model": 1,
    "bedrock-provisioned-throughput": 2,
}
MANAGEMENT_WEST = {
    "sagemaker-endpoint": 2,
    "sagemaker-endpoint-config": 2,
    "sagemaker-model": 2,
    "sagemaker-notebook-instance": 1,
}
MEMBER_EAST = {
    "sagemaker-endpoint": 2,
    "sagemaker-endpoint-config": 2,
    "sagemaker-model": 2,
    "sagemaker-notebook-instance": 1,
    "bedrock-provisioned-throughput": 1,
}
MEMBER_WEST = {
    "sagemaker-endpoint": 1,
    "sagemaker-endpoint-config": 1,
    "sagemaker-model": 1,
    "sagemaker-notebook-instance": 1,
}


@pytest.fixture(scope="module")
def demo() -> Iterator[SeedSummary]:
    """One seeded demo shared by this module's tests, which only read it."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.delenv(name, raising=False)
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        install()
        with mock_aws():
            yield seed_demo_account(boto3.Session(region_name=EAST), now=NOW)


@pytest.fixture
def management(demo: SeedSummary) -> boto3.Session:
    """The management account; asking for it starts the seeded mock, so a test run alone (or
    first on an xdist worker) never reaches for real AWS."""
    del demo
    return boto3.Session(region_name=EAST)


@pytest.fixture
def member(demo: SeedSummary, management: boto3.Session) -> boto3.Session:
    """The member account, entered the way the scanner does: the watchdog role + ExternalId."""
    creds = management.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{demo.member_account_ids[0]}:role/{MEMBER_ROLE_NAME}",
        RoleSessionName="test",
        ExternalId=DEMO_EXTERNAL_ID,
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=EAST,
    )


def test_counts_per_kind_account_and_region(
    demo: SeedSummary, management: boto3.Session, member: boto3.Session
) -> None:
    member_id = demo.member_account_ids[0]
    assert inventory(management, EAST) == MANAGEMENT_EAST
    assert inventory(management, WEST) == MANAGEMENT_WEST
    assert inventory(member, EAST) == MEMBER_EAST
    assert inventory(member, WEST) == MEMBER_WEST
    # The summary agrees with what AWS lists.
    for account, region, expected in (
        (demo.management_account_id, EAST, MANAGEMENT_EAST),
        (demo.management_account_id, WEST, MANAGEMENT_WEST),
        (member_id, EAST, MEMBER_EAST),
        (member_id, WEST, MEMBER_WEST),
    ):
        for kind, n in expected.items():
            assert demo.count(kind, region=region, account_id=account) == n, (account, kind)
    assert demo.regions == (EAST, WEST)


def test_what_each_kind_module_seeds_is_listed_as_the_summary_counts(
    demo: SeedSummary, management: boto3.Session
) -> None:
    # The kinds with their own sandbox module: what AWS lists of them (their `remaining`) is
    # what the summary counts. How many each puts in the demo is its own test's promise.
    listed = Counter(
        line.split()[0]
        for declared in sandbox_kinds()
        for line in declared.remaining(management.client)
    )
    assert listed, "no kind module lists anything: this check would see nothing"
    for kind, n in listed.items():
        assert demo.count(kind, region=EAST, account_id=demo.management_account_id) == n, kind


def test_organization_and_member_role(
    demo: SeedSummary, management: boto3.Session, member: boto3.Session
) -> None:
    accounts = management.client("organizations").list_accounts()["Accounts"]
    assert {a["Id"] for a in accounts} == set(demo.accounts)
    assert member.client("sts").get_caller_identity()["Account"] == demo.member_account_ids[0]
    for session in (management, member):
        role = session.client("iam").get_role(RoleName=MEMBER_ROLE_NAME)["Role"]
        statement = role["AssumeRolePolicyDocument"]["Statement"][0]
        assert statement["Principal"]["AWS"] == f"arn:aws:iam::{demo.management_account_id}:root"
        assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == DEMO_EXTERNAL_ID


def test_idle_resources_in_summary(demo: SeedSummary) -> None:
    assert demo.idle_names("sagemaker-endpoint") == [
        "chatbot-west-poc",
        "faq-bot-serverless",
        "llama3-8b-chat-poc",
        "mistral-7b-eval",
        "mistral-7b-marketplace",
        "orphaned-west-test",
        "rag-poc",
        "summarizer-team-b",
    ]
    exempt = set(demo.idle_names("sagemaker-endpoint", include_exempt=True))
    assert exempt - set(demo.idle_names("sagemaker-endpoint")) == {
        "hackathon-demo",
        "research-baseline",
    }
    (ab_test,) = [r for r in demo.select("sagemaker-endpoint") if r.name == "recsys-ab-test"]
    assert (ab_test.idle, ab_test.idle_variants) == (False, ("challenger",))
    assert demo.idle_names("sagemaker-inference-component") == ["mistral-7b-ic"]
    assert demo.idle_names("bedrock-provisioned-throughput") == [
        "legal-review-pt",
        "support-bot-pt",
    ]


def test_endpoint_metrics_per_variant(demo: SeedSummary, management: boto3.Session) -> None:
    def values(
        namespace: str, metric: str, endpoint: str, variant: str = "AllTraffic"
    ) -> list[float]:
        dims = [("EndpointName", endpoint), ("VariantName", variant)]
        return metric_values(management, EAST, namespace, metric, dims, NOW)

    busy = values(*INVOCATIONS, "fraud-scoring-prod")
    assert len(busy) == 7 * 24 and min(busy) > 0
    # Idle, as AWS shows it: no Invocations at all, while instance metrics prove it runs.
    assert values(*INVOCATIONS, "llama3-8b-chat-poc") == []
    assert len(values(ENDPOINTS_NS, "CPUUtilization", "llama3-8b-chat-poc")) == 7 * 24
    assert len(values(ENDPOINTS_NS, "GPUUtilization", "llama3-8b-chat-poc")) == 7 * 24
    assert values(ENDPOINTS_NS, "GPUUtilization", "fraud-scoring-prod") == []  # CPU instances
    # Idle with explicit zero datapoints.
    assert set(values(*INVOCATIONS, "mistral-7b-eval")) == {0.0}
    # Half-idle multi-variant endpoint: one query per variant tells them apart.
    assert min(values(*INVOCATIONS, "recsys-ab-test", "champion")) > 0
    assert values(*INVOCATIONS, "recsys-ab-test", "challenger") == []
    assert len(values(ENDPOINTS_NS, "MemoryUtilization", "recsys-ab-test", "challenger")) == 168
    # No instances, no instance metrics.
    assert values(ENDPOINTS_NS, "CPUUtilization", "transcribe-async") == []
    assert values(ENDPOINTS_NS, "CPUUtilization", "sentiment-serverless") == []
    # Provisioned concurrency keeps capacity warm, but serverless publishes no instance metric.
    assert values(ENDPOINTS_NS, "CPUUtilization", "faq-bot-serverless") == []
    assert demo.metric_datums > 0


def test_component_and_bedrock_metrics(management: boto3.Session) -> None:
    ic = [("InferenceComponentName", "llama3-8b-ic")]
    assert min(metric_values(management, EAST, *INVOCATIONS, ic, NOW)) > 0
    idle_ic = [("InferenceComponentName", "mistral-7b-ic")]
    assert metric_values(management, EAST, *INVOCATIONS, idle_ic, NOW) == []

    bedrock = management.client("bedrock", region_name=EAST)
    summaries = bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
    arns = {s["provisionedModelName"]: s["provisionedModelArn"] for s in summaries}
    busy = [("ModelId", arns["claims-summarizer-pt"])]
    assert len(metric_values(management, EAST, "AWS/Bedrock", "Invocations", busy, NOW)) == 168
    idle = [("ModelId", arns["support-bot-pt"])]
    assert metric_values(management, EAST, "AWS/Bedrock", "Invocations", idle, NOW) == []


def test_endpoint_shapes(management: boto3.Session) -> None:
    sm = management.client("sagemaker", region_name=EAST)
    serverless = sm.describe_endpoint(EndpointName="sentiment-serverless")["ProductionVariants"]
    assert "CurrentServerlessConfig" in serverless[0]
    assert "CurrentInstanceCount" not in serverless[0]
    provisioned = sm.describe_endpoint(EndpointName="faq-bot-serverless")["ProductionVariants"]
    assert provisioned[0]["CurrentServerlessConfig"]["ProvisionedConcurrency"] == 2

    async_endpoint = sm.describe_endpoint(EndpointName="transcribe-async")
    assert async_endpoint["ProductionVariants"][0]["CurrentInstanceCount"] == 0
    config = sm.describe_endpoint_config(EndpointConfigName=async_endpoint["EndpointConfigName"])
    assert "AsyncInferenceConfig" in config
    targets = management.client("application-autoscaling", region_name=EAST)
    (target,) = targets.describe_scalable_targets(ServiceNamespace="sagemaker")["ScalableTargets"]
    assert target["ResourceId"] == "endpoint/transcribe-async/variant/AllTraffic"
    assert target["MinCapacity"] == 0

    team_a = sm.describe_endpoint(EndpointName="summarizer-team-a")["EndpointConfigName"]
    team_b = sm.describe_endpoint(EndpointName="summarizer-team-b")["EndpointConfigName"]
    assert team_a == team_b == "summarizer-shared-config"

    components = sm.list_inference_components(EndpointNameEquals="genai-shared-host")
    names = {c["InferenceComponentName"] for c in components["InferenceComponents"]}
    assert names == {"llama3-8b-ic", "mistral-7b-ic"}
    host = sm.describe_endpoint_config(EndpointConfigName="genai-shared-host-config")
    assert "ModelName" not in host["ProductionVariants"][0]

    variants = sm.describe_endpoint(EndpointName="recsys-ab-test")["ProductionVariants"]
    assert [v["VariantName"] for v in variants] == ["champion", "challenger"]


def test_exempt_and_owner_tags(demo: SeedSummary, management: boto3.Session) -> None:
    sm = management.client("sagemaker", region_name=EAST)

    def endpoint_tags(name: str) -> dict[str, str]:
        return tags_of(management, EAST, sm.describe_endpoint(EndpointName=name)["EndpointArn"])

    assert endpoint_tags("research-baseline")["watchdog:exempt"] == "true"
    expires = endpoint_tags("hackathon-demo")["watchdog:expires"]
    assert datetime.fromisoformat(expires).date() > NOW.date()
    notebook = sm.describe_notebook_instance(NotebookInstanceName="platform-admin")
    assert tags_of(management, EAST, notebook["NotebookInstanceArn"])["watchdog:exempt"] == "true"
    for endpoint in sm.list_endpoints()["Endpoints"]:
        tags = endpoint_tags(endpoint["EndpointName"])
        assert {"owner", "team", "slack-channel"} <= tags.keys(), endpoint["EndpointName"]
    assert {r.name for r in demo.resources if r.exempt} >= {
        "research-baseline",
        "hackathon-demo",
        "platform-admin",
    }


def test_notebooks(management: boto3.Session, member: boto3.Session) -> None:
    sm = management.client("sagemaker", region_name=EAST)
    statuses = {
        n["NotebookInstanceName"]: n["NotebookInstanceStatus"]
        for n in sm.list_notebook_instances()["NotebookInstances"]
    }
    assert statuses == {
        "alice-exploration": "InService",
        "gpu-scratchpad": "InService",
        "legacy-experiments": "Stopped",
        "platform-admin": "InService",
    }
    west = member.client("sagemaker", region_name=WEST).list_notebook_instances()
    assert [n["NotebookInstanceStatus"] for n in west["NotebookInstances"]] == ["Stopped"]


def test_studio_and_mlflow(management: boto3.Session) -> None:
    sm = management.client("sagemaker", region_name=EAST)
    (domain,) = sm.list_domains()["Domains"]
    described = sm.describe_domain(DomainId=domain["DomainId"])
    idle = described["DefaultUserSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"]
    assert idle["IdleSettings"]["LifecycleManagement"] == "DISABLED"
    bob = sm.describe_user_profile(DomainId=domain["DomainId"], UserProfileName="bob")
    bob_idle = bob["UserSettings"]["JupyterLabAppSettings"]["AppLifecycleManagement"]
    assert bob_idle["IdleSettings"] == {
        "LifecycleManagement": "ENABLED",
        "IdleTimeoutInMinutes": 60,
    }
    alice = sm.describe_user_profile(DomainId=domain["DomainId"], UserProfileName="alice")
    assert "JupyterLabAppSettings" not in alice.get("UserSettings", {})  # inherits DISABLED

    apps = sm.list_apps(DomainIdEquals=domain["DomainId"])["Apps"]
    owners = sorted((a.get("UserProfileName") or a["SpaceName"], a["AppType"]) for a in apps)
    assert owners == [
        ("alice", "Canvas"),
        ("alice", "JupyterServer"),
        ("alice", "KernelGateway"),
        ("bob", "Canvas"),
        ("bob", "JupyterServer"),
        ("team-shared", "JupyterLab"),
    ]
    private = sm.describe_space(DomainId=domain["DomainId"], SpaceName="alice-private")
    assert private["SpaceSharingSettings"]["SharingType"] == "Private"
    assert private["OwnershipSettings"]["OwnerUserProfileName"] == "alice"

    servers = sm.list_mlflow_tracking_servers()["TrackingServerSummaries"]
    assert [s["TrackingServerName"] for s in servers] == ["genai-mlflow"]


def test_canvas_publishes_how_long_each_user_has_been_inactive(
    management: boto3.Session,
) -> None:
    sm = management.client("sagemaker", region_name=EAST)
    (domain,) = sm.list_domains()["Domains"]

    def inactive(user: str) -> list[float]:
        dims = [("DomainId", domain["DomainId"]), ("UserProfileName", user)]
        namespace = "/aws/sagemaker/Canvas/AppActivity"
        return metric_values(
            management, EAST, namespace, "TimeSinceLastActive", dims, NOW, "Minimum"
        )

    # alice logged in 8 hours before NOW and left 5 hours before it; bob works in it now.
    alice, bob = inactive("alice"), inactive("bob")
    # GetMetricData answers newest first; the newest hourly point is 11:00, 3.5 hours idle.
    assert alice[0] >= 3 * 3600 and alice == sorted(alice, reverse=True) and min(alice) < 600
    assert bob and max(bob) < 600


def test_bedrock_commitments(management: boto3.Session, member: boto3.Session) -> None:
    bedrock = management.client("bedrock", region_name=EAST)
    by_name = {
        s["provisionedModelName"]: s
        for s in bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
    }
    assert "commitmentDuration" not in by_name["support-bot-pt"]
    custom = bedrock.get_custom_model(modelIdentifier="support-bot-titan-ft")["modelArn"]
    assert by_name["support-bot-pt"]["modelArn"] == custom
    claims = by_name["claims-summarizer-pt"]
    assert claims["commitmentDuration"] == "SixMonths"
    # Bought 50 days before the seed's `now`: the six months run from then.
    assert claims["creationTime"] == NOW - timedelta(days=50)
    assert claims["commitmentExpirationTime"] == datetime(2026, 7, 11, 12, 30, tzinfo=UTC)
    assert claims["commitmentExpirationTime"] > NOW
    legal = member.client("bedrock", region_name=EAST).list_provisioned_model_throughputs()
    assert legal["provisionedModelSummaries"][0]["commitmentDuration"] == "SixMonths"

"""Fixtures for the sandbox's own tests: fake AWS credentials, moto with the additions."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws
from watchdog_sandbox import bedrock_provisioned_throughput, transitions

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient

REGION = "us-east-1"
ROLE_ARN = "arn:aws:iam::123456789012:role/sagemaker-execution"
SAGEMAKER_ADDITIONS = (
    "sagemaker_instance_types",
    "sagemaker_user_profiles",
    "sagemaker_spaces",
    "sagemaker_apps",
    "sagemaker_domains",
    "sagemaker_inference_components",
    "sagemaker_mlflow",
    "sagemaker_search",
    "sagemaker_shadow_variants",
    "sagemaker_endpoint_recreation",
    "sagemaker_tags",
)


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a fixed region, whatever the developer's shell holds."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv(transitions.READS_ENV, raising=False)
    monkeypatch.delenv(transitions.SECONDS_ENV, raising=False)


@pytest.fixture(autouse=True)
def default_transitions() -> Iterator[None]:
    """Every test starts and ends with the documented defaults (2 reads, 0 seconds)."""
    transitions.reset()
    yield
    transitions.reset()


def install_sagemaker_additions() -> None:
    for name in SAGEMAKER_ADDITIONS:
        importlib.import_module(f"watchdog_sandbox.{name}").install()


@pytest.fixture
def sandbox() -> Iterator[None]:
    """moto in-process with the SageMaker additions, fresh for one test."""
    install_sagemaker_additions()
    with mock_aws():
        yield


@pytest.fixture
def sm(sandbox: None) -> SageMakerClient:
    client: SageMakerClient = boto3.client("sagemaker", region_name=REGION)
    return client


@pytest.fixture
def domain_id(sm: SageMakerClient) -> str:
    """An IAM-mode Studio domain with default idle shutdown settings."""
    arn = sm.create_domain(
        DomainName="research",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE_ARN},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )["DomainArn"]
    return arn.rsplit("/", 1)[-1]


@pytest.fixture
def endpoint_name(sm: SageMakerClient) -> str:
    """An InService endpoint on a current GPU instance type, hosting model `llm`."""
    sm.create_model(
        ModelName="llm", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "image:1"}
    )
    sm.create_endpoint_config(
        EndpointConfigName="llm-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "llm",
                "InstanceType": "ml.g5.2xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="llm-endpoint", EndpointConfigName="llm-config")
    return "llm-endpoint"


@pytest.fixture
def bedrock() -> Iterator[Any]:
    """An in-process Bedrock with the sandbox's provisioned throughput (and custom models)."""
    bedrock_provisioned_throughput.install()
    # Transitions settle on the first read unless a test asks for more.
    with mock_aws(), transitions.overridden(reads=0, seconds=0):
        yield boto3.client("bedrock", region_name=REGION)

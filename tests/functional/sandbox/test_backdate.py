"""Backdating: what boto3 reports after the emulator's times are set, for every kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from watchdog_sandbox import backdate, install
from watchdog_sandbox.backdate import BackdateError

from tests.functional.sandbox.conftest import REGION, ROLE_ARN

ACCOUNT = "123456789012"
CREATED = datetime(2026, 10, 1, 9, 15, 30, 250000, tzinfo=UTC)
MODIFIED = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture
def aws() -> Iterator[None]:
    install()
    with mock_aws():
        yield


def same_moment(reported: datetime, expected: datetime) -> bool:
    """Equal to the millisecond the wire carries (naive answers are local time to botocore)."""
    aware = reported if reported.tzinfo is not None else reported.astimezone()
    return abs(aware - expected) < timedelta(milliseconds=1)


def hosting() -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i:1"})
    sm.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 1,
            }
        ],
    )
    sm.create_endpoint(EndpointName="e", EndpointConfigName="c")


def test_hosting_kinds(aws: None) -> None:
    hosting()
    backdate.model(ACCOUNT, REGION, "m", CREATED)
    backdate.endpoint_config(ACCOUNT, REGION, "c", CREATED)
    backdate.endpoint(ACCOUNT, REGION, "e", CREATED, MODIFIED)

    sm = boto3.client("sagemaker", region_name=REGION)
    endpoint = sm.describe_endpoint(EndpointName="e")
    assert same_moment(endpoint["CreationTime"], CREATED)
    assert same_moment(endpoint["LastModifiedTime"], MODIFIED)
    (listed,) = sm.list_endpoints()["Endpoints"]
    assert same_moment(listed["CreationTime"], CREATED)
    (found,) = sm.search(Resource="Endpoint")["Results"]  # what the inventory reads
    assert same_moment(found["Endpoint"]["CreationTime"], CREATED)
    config = sm.describe_endpoint_config(EndpointConfigName="c")
    assert same_moment(config["CreationTime"], CREATED)
    assert same_moment(sm.describe_model(ModelName="m")["CreationTime"], CREATED)
    # The creation-time filters AWS offers see the new times too.
    after = CREATED + timedelta(days=1)
    assert sm.list_endpoints(CreationTimeAfter=after)["Endpoints"] == []


def test_notebook_last_modified_is_its_last_start(aws: None) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_notebook_instance(
        NotebookInstanceName="nb", InstanceType="ml.t3.medium", RoleArn=ROLE_ARN
    )
    backdate.notebook_instance(ACCOUNT, REGION, "nb", CREATED, MODIFIED)
    notebook = sm.describe_notebook_instance(NotebookInstanceName="nb")
    assert same_moment(notebook["CreationTime"], CREATED)
    assert same_moment(notebook["LastModifiedTime"], MODIFIED)
    # Without a separate modification time, it has not changed since creation.
    backdate.notebook_instance(ACCOUNT, REGION, "nb", CREATED)
    notebook = sm.describe_notebook_instance(NotebookInstanceName="nb")
    assert same_moment(notebook["LastModifiedTime"], CREATED)


def test_studio_kinds(aws: None) -> None:
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_domain(
        DomainName="studio",
        AuthMode="IAM",
        DefaultUserSettings={"ExecutionRole": ROLE_ARN},
        SubnetIds=["subnet-1"],
        VpcId="vpc-1",
    )
    domain_id = backdate.domain(ACCOUNT, REGION, "studio", CREATED)
    sm.create_user_profile(DomainId=domain_id, UserProfileName="alice")
    sm.create_space(
        DomainId=domain_id,
        SpaceName="team",
        SpaceSharingSettings={"SharingType": "Shared"},
        OwnershipSettings={"OwnerUserProfileName": "alice"},
    )
    sm.create_app(DomainId=domain_id, UserProfileName="alice", AppType="JupyterServer", AppName="a")
    sm.create_app(DomainId=domain_id, SpaceName="team", AppType="JupyterLab", AppName="default")

    backdate.user_profile(ACCOUNT, REGION, domain_id, "alice", CREATED, MODIFIED)
    backdate.space(ACCOUNT, REGION, domain_id, "team", CREATED)
    backdate.app(
        ACCOUNT, REGION, domain_id, ("user-profile", "alice"), "JupyterServer", "a", CREATED
    )
    backdate.app(ACCOUNT, REGION, domain_id, ("space", "team"), "JupyterLab", "default", MODIFIED)

    assert same_moment(sm.describe_domain(DomainId=domain_id)["CreationTime"], CREATED)
    profile = sm.describe_user_profile(DomainId=domain_id, UserProfileName="alice")
    assert same_moment(profile["CreationTime"], CREATED)
    assert same_moment(profile["LastModifiedTime"], MODIFIED)
    space = sm.describe_space(DomainId=domain_id, SpaceName="team")
    assert same_moment(space["CreationTime"], CREATED)
    apps = {a["AppType"]: a["CreationTime"] for a in sm.list_apps()["Apps"]}
    assert same_moment(apps["JupyterServer"], CREATED)
    assert same_moment(apps["JupyterLab"], MODIFIED)


def test_inference_components_and_mlflow(aws: None) -> None:
    hosting()
    sm = boto3.client("sagemaker", region_name=REGION)
    sm.create_inference_component(
        InferenceComponentName="ic",
        EndpointName="e",
        VariantName="AllTraffic",
        Specification={
            "ModelName": "m",
            "ComputeResourceRequirements": {"MinMemoryRequiredInMb": 1024},
        },
        RuntimeConfig={"CopyCount": 1},
    )
    sm.create_mlflow_tracking_server(
        TrackingServerName="mlflow", ArtifactStoreUri="s3://b/p", RoleArn=ROLE_ARN
    )
    backdate.inference_component(ACCOUNT, REGION, "ic", CREATED)
    backdate.tracking_server(ACCOUNT, REGION, "mlflow", CREATED, MODIFIED)

    component = sm.describe_inference_component(InferenceComponentName="ic")
    assert same_moment(component["CreationTime"], CREATED)
    server = sm.describe_mlflow_tracking_server(TrackingServerName="mlflow")
    assert same_moment(server["CreationTime"], CREATED)
    assert same_moment(server["LastModifiedTime"], MODIFIED)


def test_bedrock_kinds_and_the_commitment_follows_the_purchase(aws: None) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    bedrock.create_model_customization_job(
        jobName="ft-job",
        customModelName="ft",
        roleArn=ROLE_ARN,
        baseModelIdentifier="amazon.titan-text-express-v1",
        trainingDataConfig={"s3Uri": "s3://b/train.jsonl"},
        outputDataConfig={"s3Uri": "s3://b/out/"},
        hyperParameters={},
    )
    bedrock.create_provisioned_model_throughput(
        provisionedModelName="pt",
        modelId="amazon.titan-text-express-v1:0:8k",
        modelUnits=1,
        commitmentDuration="OneMonth",
    )
    created = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    backdate.custom_model(ACCOUNT, REGION, "ft", CREATED)
    backdate.provisioned_throughput(ACCOUNT, REGION, "pt", created)

    custom = bedrock.get_custom_model(modelIdentifier="ft")
    # moto writes whole seconds of local time here, as it does for any custom model.
    assert abs(custom["creationTime"].astimezone() - CREATED) < timedelta(seconds=1)
    job = bedrock.get_model_customization_job(jobIdentifier="ft-job")
    assert abs(job["endTime"].astimezone() - CREATED) < timedelta(seconds=1)
    throughput = bedrock.get_provisioned_model_throughput(provisionedModelId="pt")
    assert throughput["status"] == "InService"  # bought long ago: no longer Creating
    assert throughput["creationTime"] == created
    assert throughput["lastModifiedTime"] == created
    # A month from 31 January ends on the last day of February.
    assert throughput["commitmentExpirationTime"] == datetime(2026, 2, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "call",
    [
        lambda: backdate.endpoint(ACCOUNT, REGION, "nope", CREATED),
        lambda: backdate.notebook_instance(ACCOUNT, REGION, "nope", CREATED),
        lambda: backdate.domain(ACCOUNT, REGION, "nope", CREATED),
        lambda: backdate.user_profile(ACCOUNT, REGION, "d-x", "nope", CREATED),
        lambda: backdate.app(ACCOUNT, REGION, "d-x", ("space", "s"), "JupyterLab", "a", CREATED),
        lambda: backdate.tracking_server(ACCOUNT, REGION, "nope", CREATED),
        lambda: backdate.custom_model(ACCOUNT, REGION, "nope", CREATED),
        lambda: backdate.provisioned_throughput(ACCOUNT, REGION, "nope", CREATED),
    ],
)
def test_a_resource_not_in_this_process_is_an_error(aws: None, call: object) -> None:
    """Seeding a moto server in another process: say so rather than leave it brand new."""
    with pytest.raises(BackdateError, match="this process's emulator"):
        call()  # type: ignore[operator]


def test_times_keep_the_representation_the_backend_uses() -> None:
    like = backdate._like
    naive = datetime(2026, 1, 1)
    assert like(naive, CREATED) == CREATED.replace(tzinfo=None)
    assert like(datetime.now(UTC), CREATED) == CREATED
    assert like("2026-01-01T00:00:00.000Z", CREATED) == "2026-10-01T09:15:30.250Z"
    assert like("2026-01-01T00:00:00+00:00", CREATED) == CREATED.isoformat()
    local = CREATED.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    assert like("2026-01-01 00:00:00", CREATED) == local
    assert like(1.5, CREATED) == CREATED.timestamp()
    with pytest.raises(BackdateError):
        like(None, CREATED)


def test_a_throughput_can_stay_creating(aws: None) -> None:
    bedrock = boto3.client("bedrock", region_name=REGION)
    bedrock.create_provisioned_model_throughput(
        provisionedModelName="pt", modelId="amazon.titan-text-express-v1:0:8k", modelUnits=1
    )
    backdate.provisioned_throughput(ACCOUNT, REGION, "pt", CREATED, finished_creating=False)
    throughput = bedrock.get_provisioned_model_throughput(provisionedModelId="pt")
    assert throughput["status"] == "Creating"

"""Every kind found, linked and described as AWS reports it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3

from tests.functional import builders
from watchdog.inventory import ScanRequest, scan
from watchdog.records import ResourceRecord


def by_name(records: list[ResourceRecord], kind: str) -> dict[str, ResourceRecord]:
    return {r.name: r for r in records if r.kind == kind}


def test_endpoints_configs_models_and_components_are_linked(aws: None) -> None:
    sm = builders.sagemaker()
    builders.model(sm, "llm")
    builders.model(sm, "shared-model")
    builders.endpoint(sm, "ep-a", "shared-cfg", "shared-model", tags={"owner": "alice"})
    builders.endpoint(sm, "ep-b", "shared-cfg", "shared-model", create_config=False)
    builders.endpoint(sm, "ep-ic", "ic-cfg", "llm")
    sm.create_inference_component(
        InferenceComponentName="ic-1",
        EndpointName="ep-ic",
        VariantName="AllTraffic",
        Specification={
            "ModelName": "llm",
            "ComputeResourceRequirements": {
                "MinMemoryRequiredInMb": 1024,
                "NumberOfAcceleratorDevicesRequired": 1,
            },
        },
        RuntimeConfig={"CopyCount": 2},
    )

    result = scan(ScanRequest())

    assert result.errors == []
    endpoints = by_name(result.resources, "sagemaker-endpoint")
    configs = by_name(result.resources, "sagemaker-endpoint-config")
    models = by_name(result.resources, "sagemaker-model")
    (component,) = by_name(result.resources, "sagemaker-inference-component").values()
    assert endpoints["ep-a"].tags == {"owner": "alice"}
    assert (endpoints["ep-a"].instance_type, endpoints["ep-a"].instance_count) == (
        "ml.g5.xlarge",
        1,
    )
    assert configs["shared-cfg"].shared and not configs["ic-cfg"].shared
    assert set(configs["shared-cfg"].used_by_arns) == {endpoints["ep-a"].arn, endpoints["ep-b"].arn}
    assert component.parent_arns == (endpoints["ep-ic"].arn,)
    assert endpoints["ep-ic"].child_arns == (component.arn,)
    assert component.instance_count == 2
    assert set(models["llm"].used_by_arns) == {configs["ic-cfg"].arn, component.arn}


def test_studio_domain_profiles_spaces_and_both_kinds_of_apps(aws: None) -> None:
    sm = builders.sagemaker()
    domain_id = builders.domain(sm)
    sm.create_user_profile(
        DomainId=domain_id,
        UserProfileName="alice",
        UserSettings={
            "JupyterLabAppSettings": {
                "AppLifecycleManagement": {
                    "IdleSettings": {"LifecycleManagement": "ENABLED", "IdleTimeoutInMinutes": 60}
                }
            }
        },
    )
    sm.create_space(
        DomainId=domain_id,
        SpaceName="team",
        SpaceSharingSettings={"SharingType": "Shared"},
        OwnershipSettings={"OwnerUserProfileName": "alice"},
        SpaceSettings={"AppType": "JupyterLab"},
    )
    sm.create_app(
        DomainId=domain_id,
        UserProfileName="alice",
        AppType="JupyterServer",
        AppName="default",
    )
    sm.create_app(
        DomainId=domain_id,
        SpaceName="team",
        AppType="JupyterLab",
        AppName="default",
        ResourceSpec={"InstanceType": "ml.g5.xlarge"},
    )

    result = scan(ScanRequest())

    assert result.errors == []
    (domain,) = by_name(result.resources, "sagemaker-domain").values()
    profile = by_name(result.resources, "sagemaker-user-profile")["alice"]
    space = by_name(result.resources, "sagemaker-space")["team"]
    apps = [r for r in result.resources if r.kind == "sagemaker-app"]
    assert domain.idle_shutdown is not None and domain.idle_shutdown.enabled is False
    assert profile.idle_shutdown is not None and profile.idle_shutdown.enabled is True
    assert set(domain.child_arns) == {profile.arn, space.arn}
    owners = {a.attributes["owner_kind"]: a for a in apps}
    assert owners["space"].parent_arns == (space.arn,)
    assert owners["space"].instance_type == "ml.g5.xlarge"
    assert owners["user-profile"].parent_arns == (profile.arn,)
    assert space.child_arns == (owners["space"].arn,)


def test_notebooks_mlflow_and_bedrock_with_commitments(aws: None) -> None:
    sm = builders.sagemaker()
    sm.create_notebook_instance(
        NotebookInstanceName="nb-old",
        InstanceType="ml.g5.xlarge",
        RoleArn=builders.ROLE,
        Tags=[{"Key": "watchdog:exempt", "Value": "true"}],
    )
    sm.create_mlflow_tracking_server(
        TrackingServerName="mlflow",
        ArtifactStoreUri="s3://bucket/mlflow",
        RoleArn=builders.ROLE,
        TrackingServerSize="Medium",
    )
    bedrock = boto3.client("bedrock")
    foundation = "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1"
    bedrock.create_provisioned_model_throughput(
        modelUnits=1, provisionedModelName="pt-free", modelId=foundation
    )
    bedrock.create_provisioned_model_throughput(
        modelUnits=2,
        provisionedModelName="pt-committed",
        modelId=foundation,
        commitmentDuration="SixMonths",
    )

    result = scan(ScanRequest())

    assert result.errors == []
    (notebook,) = by_name(result.resources, "sagemaker-notebook-instance").values()
    assert notebook.tags == {"watchdog:exempt": "true"}
    assert notebook.instance_type == "ml.g5.xlarge"
    (server,) = by_name(result.resources, "sagemaker-mlflow-tracking-server").values()
    assert server.attributes["size"] == "Medium"
    throughputs = by_name(result.resources, "bedrock-provisioned-throughput")
    assert throughputs["pt-free"].billing.mode == "on-demand"
    committed = throughputs["pt-committed"].billing
    assert committed.mode == "committed" and committed.committed_until is not None
    assert committed.committed_until > datetime.now(UTC) + timedelta(days=150)
    assert throughputs["pt-committed"].instance_count == 2


def test_endpoint_tags_come_from_search_not_from_the_tagging_pass(aws: None) -> None:
    """The region's tagging-API pass, whose pages come one after the other, lists only the
    types whose listing lacks tags: Search carries each endpoint's."""
    sm = builders.sagemaker()
    builders.model(sm, "m")
    builders.endpoint(sm, "ep", "cfg", "m", tags={"watchdog:exempt": "true"})
    sm.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t3.medium",
        RoleArn=builders.ROLE,
        Tags=[{"Key": "owner", "Value": "bob"}],
    )
    session = boto3.Session()
    asked: list[list[str]] = []
    session.events.register(
        "provide-client-params.resource-groups-tagging-api.GetResources",
        lambda params, **_: asked.append(params["ResourceTypeFilters"]),
    )

    result = scan(ScanRequest(), session=session)

    assert result.errors == []
    (endpoint,) = by_name(result.resources, "sagemaker-endpoint").values()
    (notebook,) = by_name(result.resources, "sagemaker-notebook-instance").values()
    assert endpoint.tags == {"watchdog:exempt": "true"}
    assert notebook.tags == {"owner": "bob"}
    assert asked and all("sagemaker:notebook-instance" in types for types in asked)
    assert not any("sagemaker:endpoint" in types for types in asked)

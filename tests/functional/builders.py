"""Creates resources through boto3 for functional tests: one helper per kind, AWS shapes only."""

from __future__ import annotations

from typing import Any

import boto3

ROLE = "arn:aws:iam::123456789012:role/SageMakerExecutionRole"


def sagemaker(region: str = "us-east-1", session: boto3.Session | None = None) -> Any:
    return (session or boto3.Session()).client("sagemaker", region_name=region)


def model(sm: Any, name: str) -> str:
    answer = sm.create_model(
        ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer={"Image": "123.dkr.ecr/img:1"}
    )
    return str(answer["ModelArn"])


def endpoint(
    sm: Any,
    name: str,
    config: str,
    model_name: str,
    instance_type: str = "ml.g5.xlarge",
    tags: dict[str, str] | None = None,
    create_config: bool = True,
) -> str:
    if create_config:
        sm.create_endpoint_config(
            EndpointConfigName=config,
            ProductionVariants=[
                {
                    "VariantName": "AllTraffic",
                    "ModelName": model_name,
                    "InitialInstanceCount": 1,
                    "InstanceType": instance_type,
                }
            ],
        )
    answer = sm.create_endpoint(
        EndpointName=name,
        EndpointConfigName=config,
        Tags=[{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    )
    return str(answer["EndpointArn"])


def domain(sm: Any, name: str = "studio") -> str:
    answer = sm.create_domain(
        DomainName=name,
        AuthMode="IAM",
        DefaultUserSettings={
            "ExecutionRole": ROLE,
            "JupyterLabAppSettings": {
                "AppLifecycleManagement": {"IdleSettings": {"LifecycleManagement": "DISABLED"}}
            },
        },
        SubnetIds=["subnet-12345678"],
        VpcId="vpc-12345678",
    )
    return str(answer["DomainArn"].split("/")[-1])

"""Current instance types are accepted (botocore's ProductionVariantInstanceType and
InstanceType enums); unknown ones are still refused."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import pytest
from botocore.exceptions import ClientError

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.literals import InstanceTypeType, ProductionVariantInstanceTypeType

CURRENT_HOSTING = ["ml.g5.2xlarge", "ml.g6.xlarge", "ml.p4d.24xlarge", "ml.inf2.xlarge"]


@pytest.mark.parametrize("instance_type", [*CURRENT_HOSTING, "ml.m5.large"])
def test_given_a_current_instance_type_when_creating_an_endpoint_config_then_accepted(
    sm: SageMakerClient, instance_type: ProductionVariantInstanceTypeType
) -> None:
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})

    sm.create_endpoint_config(
        EndpointConfigName="config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": instance_type,
                "InitialInstanceCount": 1,
            }
        ],
    )

    variants = sm.describe_endpoint_config(EndpointConfigName="config")["ProductionVariants"]
    assert variants[0]["InstanceType"] == instance_type


@pytest.mark.parametrize("instance_type", ["ml.g5.xlarge", "ml.p4d.24xlarge", "ml.trn1.2xlarge"])
def test_given_a_current_instance_type_when_creating_a_notebook_then_accepted(
    sm: SageMakerClient, instance_type: InstanceTypeType
) -> None:
    sm.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType=instance_type,
        RoleArn=ROLE_ARN,
    )

    assert sm.describe_notebook_instance(NotebookInstanceName="nb")["InstanceType"] == (
        instance_type
    )


def test_given_an_unknown_instance_type_when_creating_a_notebook_then_validation_exception(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.create_notebook_instance(
            NotebookInstanceName="nb",
            InstanceType=cast("InstanceTypeType", "ml.nope.xlarge"),
            RoleArn=ROLE_ARN,
        )

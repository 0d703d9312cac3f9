"""SageMaker Search with Resource="Endpoint": full records, sorting, paging (API_Search,
API_Endpoint); other resources keep working."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from tests.functional.sandbox.conftest import ROLE_ARN

if TYPE_CHECKING:
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sagemaker.type_defs import ProductionVariantServerlessConfigTypeDef


def _endpoints(sm: SageMakerClient, count: int) -> None:
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    sm.create_endpoint_config(
        EndpointConfigName="gpu",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "m",
                "InstanceType": "ml.g5.xlarge",
                "InitialInstanceCount": 2,
            }
        ],
    )
    for index in range(count):
        sm.create_endpoint(
            EndpointName=f"endpoint-{index}",
            EndpointConfigName="gpu",
            Tags=[{"Key": "team", "Value": f"t{index}"}],
        )


def test_given_an_endpoint_when_searched_then_the_record_carries_what_aws_returns(
    sm: SageMakerClient,
) -> None:
    _endpoints(sm, 1)

    (result,) = sm.search(Resource="Endpoint")["Results"]

    endpoint = result["Endpoint"]
    assert endpoint["EndpointArn"] == "arn:aws:sagemaker:us-east-1:123456789012:endpoint/endpoint-0"
    assert endpoint["EndpointName"] == "endpoint-0"
    assert endpoint["EndpointConfigName"] == "gpu"
    assert endpoint["EndpointStatus"] == "InService"
    assert endpoint["ProductionVariants"][0]["CurrentInstanceCount"] == 2
    assert endpoint["Tags"] == [{"Key": "team", "Value": "t0"}]
    assert endpoint["CreationTime"] and endpoint["LastModifiedTime"]


def test_given_a_serverless_endpoint_when_searched_then_its_serverless_config_is_reported(
    sm: SageMakerClient,
) -> None:
    sm.create_model(ModelName="m", ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": "i"})
    serverless: ProductionVariantServerlessConfigTypeDef = {
        "MemorySizeInMB": 2048,
        "MaxConcurrency": 5,
    }
    sm.create_endpoint_config(
        EndpointConfigName="sls",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "m", "ServerlessConfig": serverless}
        ],
    )
    sm.create_endpoint(EndpointName="sls", EndpointConfigName="sls")

    (result,) = sm.search(Resource="Endpoint")["Results"]

    assert result["Endpoint"]["ProductionVariants"][0]["CurrentServerlessConfig"] == serverless


def test_given_more_endpoints_than_max_results_when_searched_then_pages_cover_all_once(
    sm: SageMakerClient,
) -> None:
    _endpoints(sm, 5)

    first = sm.search(Resource="Endpoint", MaxResults=2)
    pages = sm.get_paginator("search").paginate(
        Resource="Endpoint", PaginationConfig={"PageSize": 2}
    )
    names = [r["Endpoint"]["EndpointName"] for page in pages for r in page["Results"]]

    assert len(first["Results"]) == 2
    assert "NextToken" in first
    assert sorted(names) == [f"endpoint-{index}" for index in range(5)]
    assert len(names) == 5


def test_given_no_sort_when_searched_then_most_recently_modified_comes_first(
    sm: SageMakerClient,
) -> None:
    _endpoints(sm, 3)

    newest_first = sm.search(Resource="Endpoint")["Results"]
    oldest_first = sm.search(Resource="Endpoint", SortBy="CreationTime", SortOrder="Ascending")

    assert [r["Endpoint"]["EndpointName"] for r in newest_first] == [
        "endpoint-2",
        "endpoint-1",
        "endpoint-0",
    ]
    assert oldest_first["Results"][0]["Endpoint"]["EndpointName"] == "endpoint-0"


def test_given_max_results_over_100_when_searched_then_validation_exception(
    sm: SageMakerClient,
) -> None:
    with pytest.raises(ClientError, match="ValidationException"):
        sm.search(Resource="Endpoint", MaxResults=101)


def test_given_a_search_expression_when_searched_then_moto_filters_still_apply(
    sm: SageMakerClient,
) -> None:
    _endpoints(sm, 2)

    found = sm.search(
        Resource="Endpoint",
        SearchExpression={
            "Filters": [{"Name": "EndpointName", "Operator": "Equals", "Value": "endpoint-1"}]
        },
    )["Results"]

    assert [r["Endpoint"]["EndpointName"] for r in found] == ["endpoint-1"]


def test_given_other_resources_when_searched_then_they_are_still_returned(
    sm: SageMakerClient,
) -> None:
    sm.create_experiment(ExperimentName="exp")

    found = sm.search(Resource="Experiment")["Results"]

    assert [r["Experiment"]["ExperimentName"] for r in found] == ["exp"]

"""ShardContext against stubbed clients (botocore's Stubber): pagination and the tag pass."""

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.scope import Shard
from watchdog.inventory.context import ShardContext
from watchdog.kinds import sagemaker_notebook_instance

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012"


def notebook(name: str) -> dict[str, str]:
    return {
        "NotebookInstanceName": name,
        "NotebookInstanceArn": f"{PREFIX}:notebook-instance/{name}",
        "NotebookInstanceStatus": "InService",
        "InstanceType": "ml.t3.medium",
    }


@pytest.fixture
def shard() -> Iterator[tuple[ShardContext, Stubber, Stubber, ApiCallCounter]]:
    counter = ApiCallCounter()
    clients = ClientFactory(boto3.Session(region_name="us-east-1"), counter)
    sagemaker = Stubber(clients.client("sagemaker", "us-east-1"))
    tagging = Stubber(clients.client("resourcegroupstaggingapi", "us-east-1"))
    with sagemaker, tagging:
        region = Shard(account_id="123456789012", region="us-east-1", clients=clients)
        ctx = ShardContext(region, [sagemaker_notebook_instance.SPEC.tag_type])
        yield ctx, sagemaker, tagging, counter


def test_every_page_of_a_list_is_read_and_tags_cost_one_pass(shard) -> None:  # type: ignore[no-untyped-def]
    ctx, sagemaker, tagging, counter = shard
    # Pages of 100, AWS's maximum, where its default is 10.
    sagemaker.add_response(
        "list_notebook_instances",
        {"NotebookInstances": [notebook("a"), notebook("b")], "NextToken": "t1"},
        {"MaxResults": 100},
    )
    sagemaker.add_response(
        "list_notebook_instances",
        {"NotebookInstances": [notebook("c")]},
        {"MaxResults": 100, "NextToken": "t1"},
    )
    tagging.add_response(
        "get_resources",
        {
            "ResourceTagMappingList": [
                {
                    "ResourceARN": f"{PREFIX}:notebook-instance/b",
                    "Tags": [{"Key": "watchdog:exempt", "Value": "true"}],
                }
            ],
            "PaginationToken": "",
        },
        # Only the types the scanned kinds are, not every tagged training job and pipeline.
        {"ResourceTypeFilters": ["sagemaker:notebook-instance"], "ResourcesPerPage": 100},
    )

    records = sagemaker_notebook_instance.collect(ctx)

    assert [r.name for r in records] == ["a", "b", "c"]
    assert [r.tags for r in records] == [{}, {"watchdog:exempt": "true"}, {}]
    assert counter.by_operation() == {
        "resourcegroupstaggingapi:GetResources": 1,
        "sagemaker:ListNotebookInstances": 2,
    }
    sagemaker.assert_no_pending_responses()

"""How a classic real-time SageMaker endpoint is parked: it cannot scale to zero, so parking
deletes the endpoint and keeps its endpoint config and models (which cost nothing), and resuming
creates it again from the same config under the same name, so its invoke URL is unchanged and
callers need no change (aws-facts.md, "Scale to zero and parking").

Serverless endpoints with provisioned concurrency park the same way: the concurrency kept warm
bills while idle, and it cannot be lowered to none in place (botocore's model:
ServerlessProvisionedConcurrency has min 1, in the config and in UpdateEndpointWeightsAndCapacities'
ServerlessUpdateConfig), but deleting the endpoint takes it to none and creating it again from the
same config brings it back.

What is refused, and why:
- serverless variants without provisioned concurrency bill per request: nothing to park;
- an asynchronous endpoint whose variants are not auto scaled waits, with the reason: it parks
  by lowering its scaling minimum (`_async_parking`), and the watchdog adds no scaling it did
  not find;
- an endpoint hosting inference components (its config names no model) parks by scaling its
  components to zero copies instead (`_component_endpoint_parking`);
- an endpoint something else uses (a Bedrock Marketplace endpoint registers it) would break;
- an auto-scaled endpoint, read right before its park: "If you delete an endpoint, Application
  Auto Scaling checks to see whether any of the models on that endpoint are targets for auto
  scaling. If any are ... Application Auto Scaling deregisters those models as scalable targets"
  (SageMaker developer guide, "Delete endpoints configured for auto scaling"), so it would come
  back without its scaling.
"""

from __future__ import annotations

from typing import Any

from watchdog.kinds._async_endpoint_parking import async_parking
from watchdog.kinds._component_endpoint_parking import component_parking
from watchdog.kinds._park import Park
from watchdog.kinds.base import AccountClients, Operation
from watchdog.records import ResourceRecord

AUTOSCALING = "application-autoscaling"
# Tags with this prefix are AWS's own; CreateEndpoint refuses them (API_Tag: "You can't edit or
# delete tag keys with the aws: prefix"), and AWS sets them again itself.
AWS_TAG_PREFIX = "aws:"


def refuses(record: ResourceRecord) -> str | None:
    serverless = [v for v in record.variants if v.serverless]
    if serverless and not any(v.provisioned_concurrency for v in serverless):
        return "serverless without provisioned concurrency, it bills per request: nothing to park"
    return None


def auto_scaled(clients: AccountClients, record: ResourceRecord) -> str | None:
    """Why not now: its variants are scalable targets, which deleting it would deregister."""
    client = clients.client(AUTOSCALING, record.account, record.region)
    ids = [f"endpoint/{record.name}/variant/{v.name}" for v in record.variants]
    found = client.describe_scalable_targets(ServiceNamespace="sagemaker", ResourceIds=ids)
    if not found.get("ScalableTargets"):
        return None
    return (
        "its variants are auto scaled, and deleting an endpoint deregisters its scalable "
        "targets: it would come back without its scaling"
    )


def create_again(client: Any, record: ResourceRecord) -> None:
    tags = [
        {"Key": key, "Value": value}
        for key, value in sorted(record.tags.items())
        if not key.lower().startswith(AWS_TAG_PREFIX)
    ]
    client.create_endpoint(
        EndpointName=record.name,
        EndpointConfigName=record.attributes["endpoint_config_name"],
        **({"Tags": tags} if tags else {}),
    )


def parking(delete: Any) -> Park:
    """Classic endpoints (and serverless ones with provisioned concurrency) are deleted and
    created again; asynchronous ones scale to zero instead."""
    return Park(
        park=Operation(
            "sagemaker:DeleteEndpoint",
            frozenset({"InService"}),
            "an endpoint is parked only while InService",
            invoke=delete,
            underway=frozenset({"Deleting"}),
        ),
        resume=Operation(
            "sagemaker:CreateEndpoint",
            frozenset(),
            "an endpoint is created again only while none of its name exists",
            invoke=create_again,
            settled=frozenset({"InService"}),
            underway=frozenset({"Creating"}),
            from_gone=True,
        ),
        keeps="its endpoint config and models (free); nothing bills while it is parked",
        resume_takes="minutes: the endpoint is created again from its config, same name and URL",
        refuses=refuses,
        refuses_now=auto_scaled,
        # Tags sent with CreateEndpoint are authorized as sagemaker:AddTags too (restore's
        # recreate declares the same pair).
        iam=("sagemaker:AddTags",),
        reads=("application-autoscaling:DescribeScalableTargets",),
        instead=(async_parking(), component_parking()),
    )

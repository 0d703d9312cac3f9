"""Ground truth for the seed tests: what boto3 lists, independent of the seeder's own summary."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import boto3


def _all(client: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator(operation).paginate(**params)
    return [item for page in pages for item in page[key]]


def inventory(session: boto3.Session, region: str) -> dict[str, int]:
    """Resources per kind in one account and region, counted by listing them through boto3: the
    kinds the seed itself creates. A kind with its own sandbox module is listed by that module
    (`SandboxKind.remaining`), which test_seed checks against the summary."""
    sm = session.client("sagemaker", region_name=region)
    bedrock = session.client("bedrock", region_name=region)
    domains = _all(sm, "list_domains", "Domains")
    counts = {
        "sagemaker-endpoint": len(_all(sm, "list_endpoints", "Endpoints")),
        "sagemaker-endpoint-config": len(_all(sm, "list_endpoint_configs", "EndpointConfigs")),
        "sagemaker-model": len(_all(sm, "list_models", "Models")),
        "sagemaker-notebook-instance": len(
            _all(sm, "list_notebook_instances", "NotebookInstances")
        ),
        "sagemaker-domain": len(domains),
        "sagemaker-user-profile": len(_all(sm, "list_user_profiles", "UserProfiles")),
        "sagemaker-space": len(_all(sm, "list_spaces", "Spaces")),
        "sagemaker-app": len(_all(sm, "list_apps", "Apps")),
        "sagemaker-inference-component": len(
            _all(sm, "list_inference_components", "InferenceComponents")
        ),
        "sagemaker-mlflow-tracking-server": len(
            _all(sm, "list_mlflow_tracking_servers", "TrackingServerSummaries")
        ),
        "bedrock-custom-model": len(bedrock.list_custom_models()["modelSummaries"]),
        "bedrock-provisioned-throughput": len(
            bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
        ),
    }
    return {kind: n for kind, n in counts.items() if n}


def metric_values(
    session: boto3.Session,
    region: str,
    namespace: str,
    metric: str,
    dimensions: list[tuple[str, str]],
    now: datetime,
    stat: str = "Sum",
) -> list[float]:
    """Hourly values over the seeded week, queried the way the scanner does (GetMetricData)."""
    cloudwatch = session.client("cloudwatch", region_name=region)
    result = cloudwatch.get_metric_data(
        MetricDataQueries=[
            {
                "Id": "m0",
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": metric,
                        "Dimensions": [{"Name": n, "Value": v} for n, v in dimensions],
                    },
                    "Period": 3600,
                    "Stat": stat,
                },
            }
        ],
        StartTime=now - timedelta(days=7, hours=1),
        EndTime=now,
    )
    values: list[float] = result["MetricDataResults"][0]["Values"]
    return values


def tags_of(session: boto3.Session, region: str, arn: str) -> dict[str, str]:
    sm = session.client("sagemaker", region_name=region)
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}

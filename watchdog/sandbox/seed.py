"""Seed the sandbox with a realistic demo organisation, or with many endpoints for benchmarks.

Everything goes through boto3 clients, so the same seed fills an in-process `mock_aws` and a
moto server reached over HTTP (pass `endpoint_url`, or set AWS_ENDPOINT_URL for the session).
The sandbox additions must be installed first (`watchdog.sandbox.install()`): the demo uses ml.g5
instances, Studio, inference components, MLflow and Bedrock provisioned throughput.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

import boto3

from watchdog.sandbox.seed_bedrock import create_custom_model, create_throughput
from watchdog.sandbox.seed_bench import seed_many_endpoints
from watchdog.sandbox.seed_clients import AwsClients, service_trust_policy, trust_policy
from watchdog.sandbox.seed_metrics import MetricWriter
from watchdog.sandbox.seed_plan import (
    PRIMARY_REGION,
    SECONDARY_REGION,
    RegionPlan,
    management_plan,
    member_plan,
)
from watchdog.sandbox.seed_sagemaker import (
    create_endpoint,
    create_endpoint_config,
    create_model,
    create_notebook,
    is_exempt,
    write_endpoint_metrics,
)
from watchdog.sandbox.seed_studio import create_domain, create_tracking_server
from watchdog.sandbox.seed_summary import SeededResource, SeedSummary

__all__ = [
    "DEMO_EXTERNAL_ID",
    "DEMO_REGIONS",
    "MEMBER_ACCOUNT_NAME",
    "MEMBER_ROLE_NAME",
    "SeedSummary",
    "SeededResource",
    "seed_demo_account",
    "seed_many_endpoints",
]

MEMBER_ROLE_NAME = "WatchdogMemberRole"
DEMO_EXTERNAL_ID = "ai-cost-watchdog-demo"
DEMO_REGIONS = (PRIMARY_REGION, SECONDARY_REGION)
MEMBER_ACCOUNT_NAME = "ml-sandbox"
# The admin role AWS Organizations creates in every account it creates.
ORG_ACCESS_ROLE = "OrganizationAccountAccessRole"
SAGEMAKER_ROLE = "SageMakerExecutionRole"
BEDROCK_ROLE = "BedrockCustomizationRole"


def seed_demo_account(
    session: boto3.Session,
    *,
    endpoint_url: str | None = None,
    now: datetime | None = None,
    external_id: str = DEMO_EXTERNAL_ID,
) -> SeedSummary:
    """Create the demo organisation: the session's account as management account plus one member
    account, resources in us-east-1 and us-west-2 of both, and seven days of hourly metrics.

    Metrics end at `now` (default: the current UTC time). moto stamps every CreationTime with the
    real clock, so at the real time each endpoint is brand new and, by the rule that absent
    traffic only counts on endpoints older than the window, not yet provably idle. To see idle
    findings, pass a `now` at least one window ahead (e.g. real time + 8 days) and evaluate at
    that same `now`: the metrics then cover the week after creation.

    Expects a fresh account (AWS refuses a second organisation).
    """
    now = now or datetime.now(UTC)
    created_at = datetime.now(UTC)
    management = AwsClients(session, endpoint_url)
    management_id = management.account_id()
    member_id = _create_member_account(management)

    _create_roles(management, management_id, external_id)
    # A new account is reachable only through the role Organizations put there; that is how the
    # watchdog's own role gets deployed into it.
    bootstrap = management.assume(
        f"arn:aws:iam::{member_id}:role/{ORG_ACCESS_ROLE}", None, "watchdog-seed-bootstrap"
    )
    _create_roles(bootstrap, management_id, external_id)
    member = management.assume(
        f"arn:aws:iam::{member_id}:role/{MEMBER_ROLE_NAME}", external_id, "watchdog-seed"
    )

    resources: list[SeededResource] = []
    datums = 0
    for account_id, clients, plan in (
        (management_id, management, management_plan(now)),
        (member_id, member, member_plan(now)),
    ):
        for region, region_plan in plan.regions.items():
            seeded, written = seed_region(clients, account_id, region, region_plan, now)
            resources += seeded
            datums += written
    return SeedSummary(
        management_account_id=management_id,
        member_account_ids=(member_id,),
        member_role_name=MEMBER_ROLE_NAME,
        external_id=external_id,
        regions=DEMO_REGIONS,
        now=now,
        created_at=created_at,
        metric_datums=datums,
        resources=tuple(resources),
    )


def _create_member_account(management: AwsClients) -> str:
    org = management.organizations()
    org.create_organization(FeatureSet="ALL")
    request_id = org.create_account(
        Email=f"{MEMBER_ACCOUNT_NAME}@example.com", AccountName=MEMBER_ACCOUNT_NAME
    )["CreateAccountStatus"]["Id"]
    # CreateAccount is asynchronous on AWS; moto finishes at once, so this rarely loops.
    for _ in range(60):
        status = org.describe_create_account_status(CreateAccountRequestId=request_id)[
            "CreateAccountStatus"
        ]
        if status["State"] == "SUCCEEDED":
            return status["AccountId"]
        if status["State"] == "FAILED":
            raise RuntimeError(f"CreateAccount failed: {status.get('FailureReason')}")
        time.sleep(1)
    raise TimeoutError("CreateAccount did not finish within 60 s")


def _create_roles(clients: AwsClients, management_id: str, external_id: str) -> None:
    iam = clients.iam()
    iam.create_role(
        RoleName=MEMBER_ROLE_NAME,
        AssumeRolePolicyDocument=trust_policy(management_id, external_id),
        Description="Read and (when enforced) stop idle AI resources for ai-cost-watchdog",
    )
    iam.create_role(
        RoleName=SAGEMAKER_ROLE,
        AssumeRolePolicyDocument=service_trust_policy("sagemaker.amazonaws.com"),
    )
    iam.create_role(
        RoleName=BEDROCK_ROLE,
        AssumeRolePolicyDocument=service_trust_policy("bedrock.amazonaws.com"),
    )


def seed_region(
    clients: AwsClients, account_id: str, region: str, plan: RegionPlan, now: datetime
) -> tuple[list[SeededResource], int]:
    """Create one account-region's share of a plan; return what was made and the datums put."""
    sm = clients.sagemaker(region)
    role = f"arn:aws:iam::{account_id}:role/{SAGEMAKER_ROLE}"
    today = now.date()
    out: list[SeededResource] = []

    def record(
        kind: str,
        name: str,
        tags: Mapping[str, str] | None = None,
        *,
        idle: bool = False,
        idle_variants: tuple[str, ...] = (),
    ) -> None:
        out.append(
            SeededResource(
                kind=kind,
                account_id=account_id,
                region=region,
                name=name,
                idle=idle,
                idle_variants=idle_variants,
                exempt=is_exempt(tags or {}, today),
            )
        )

    for model in plan.models:
        create_model(sm, model, region, role)
        record("sagemaker-model", model.name, model.tags)
    configs = {e.config.name: e.config for e in plan.endpoints}
    for config in configs.values():
        create_endpoint_config(sm, config, role)
        record("sagemaker-endpoint-config", config.name, config.tags)

    writer = MetricWriter(clients.cloudwatch(region), now)
    for endpoint in plan.endpoints:
        create_endpoint(clients, region, endpoint)
        write_endpoint_metrics(writer, endpoint)
        partly = () if endpoint.idle else tuple(endpoint.idle_variants())
        tags = endpoint.tags
        record("sagemaker-endpoint", endpoint.name, tags, idle=endpoint.idle, idle_variants=partly)
        for component in endpoint.components:
            idle = component.traffic != "busy"
            record("sagemaker-inference-component", component.name, tags, idle=idle)

    for notebook in plan.notebooks:
        create_notebook(sm, notebook, role)
        record("sagemaker-notebook-instance", notebook.name, notebook.tags)

    for domain in plan.domains:
        create_domain(clients, region, domain, role)
        record("sagemaker-domain", domain.name, domain.tags)
        for profile in domain.profiles:
            record("sagemaker-user-profile", profile.name, profile.tags)
            for app in profile.apps:
                record("sagemaker-app", f"{profile.name}/{app.app_type}/{app.name}")
        for space in domain.spaces:
            record("sagemaker-space", space.name, space.tags)
            if space.app is not None:
                record("sagemaker-app", f"{space.name}/{space.app.app_type}/{space.app.name}")

    for server in plan.tracking_servers:
        create_tracking_server(sm, region, server, role)
        record("sagemaker-mlflow-tracking-server", server.name, server.tags)

    bedrock = clients.bedrock(region)
    custom_arns: dict[str, str] = {}
    bedrock_role = f"arn:aws:iam::{account_id}:role/{BEDROCK_ROLE}"
    for custom in plan.custom_models:
        custom_arns[custom.name] = create_custom_model(bedrock, region, custom, bedrock_role)
        record("bedrock-custom-model", custom.name, custom.tags)
    for throughput in plan.throughputs:
        model_id = custom_arns.get(throughput.model, throughput.model)
        arn = create_throughput(bedrock, throughput, model_id)
        if throughput.busy:
            writer.bedrock_model(arn)
        tags = throughput.tags
        record("bedrock-provisioned-throughput", throughput.name, tags, idle=not throughput.busy)

    writer.flush()
    return out, writer.datums_written

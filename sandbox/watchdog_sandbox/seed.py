"""Seed the sandbox with a realistic demo organisation, or with many endpoints for benchmarks.

Everything is created through boto3 clients, so the same seed fills an in-process `mock_aws` and a
moto server reached over HTTP (pass `endpoint_url`, or set AWS_ENDPOINT_URL for the session). The
demo then backdates what it created (see `backdate`), which needs that server in this process,
as `watchdog_sandbox.server` runs it. The sandbox additions must be installed first
(`watchdog_sandbox.install()`): the demo uses ml.g5 instances, Studio, inference components,
MLflow and Bedrock provisioned throughput.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import boto3

from watchdog_sandbox.backdate import AppOwner
from watchdog_sandbox.seed_ages import Ages, config_ages, model_ages
from watchdog_sandbox.seed_bedrock import create_custom_model, create_throughput
from watchdog_sandbox.seed_bench import seed_many_endpoints
from watchdog_sandbox.seed_clients import AwsClients, service_trust_policy, trust_policy
from watchdog_sandbox.seed_costs import seed_costs
from watchdog_sandbox.seed_kinds import SeedContext
from watchdog_sandbox.seed_metrics import MetricWriter
from watchdog_sandbox.seed_plan import (
    PRIMARY_REGION,
    SECONDARY_REGION,
    RegionPlan,
    management_plan,
    member_plan,
)
from watchdog_sandbox.seed_sagemaker import (
    create_endpoint,
    create_endpoint_config,
    create_model,
    create_notebook,
    is_exempt,
    write_endpoint_metrics,
)
from watchdog_sandbox.seed_studio import AppSpec, create_domain, create_tracking_server
from watchdog_sandbox.seed_summary import SeededResource, SeedSummary

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
    account, resources in us-east-1 and us-west-2 of both, and eight days of hourly metrics.

    Every resource gets the age the plan states (seed_plan.py), counted back from `now` (default:
    the current UTC time): moto stamps CreationTime with the real clock and no API sets it, so
    the seed writes the times onto the emulator's objects after creating them. Metrics end at
    `now` and start no earlier than each resource's creation. So at the real time, right after
    seeding, idle endpoints older than the seven-day window are provably idle, and the endpoint
    created two days ago is "unknown" (too young to tell), as it would be on AWS.

    Backdating reaches the emulator's in-process state: run it under `mock_aws`, or against the
    sandbox server running in this process (`watchdog_sandbox.server`); against a moto server in
    another process it raises BackdateError. Expects a fresh account (AWS refuses a second
    organisation).
    """
    now = now or datetime.now(UTC)
    created_at = datetime.now(UTC)
    management = AwsClients(session, endpoint_url)
    management_id = management.account_id()
    member_id = _create_member_account(management)
    member = _member_clients(management, management_id, member_id, external_id)

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
    seed_costs(session, endpoint_url=endpoint_url, now=now, member_account_id=member_id)
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


def _member_clients(
    management: AwsClients, management_id: str, member_id: str, external_id: str
) -> AwsClients:
    """The watchdog's roles in both accounts, and the member account's clients through its own."""
    _create_roles(management, management_id, external_id)
    # A new account is reachable only through the role Organizations put there; that is how the
    # watchdog's own role gets deployed into it.
    bootstrap = management.assume(
        f"arn:aws:iam::{member_id}:role/{ORG_ACCESS_ROLE}", None, "watchdog-seed-bootstrap"
    )
    _create_roles(bootstrap, management_id, external_id)
    return management.assume(
        f"arn:aws:iam::{member_id}:role/{MEMBER_ROLE_NAME}", external_id, "watchdog-seed"
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
    """Create one account-region's share of a plan, backdated to the plan's ages; return what
    was made and the datums put."""
    seeder = _RegionSeeder(clients, account_id, region, plan, now)
    seeder.hosting()
    seeder.notebooks()
    seeder.studio()
    seeder.bedrock()
    context = SeedContext(clients, account_id, region, now, seeder.ages, seeder.writer)
    for kind_seed in plan.kinds:
        seeder.out += kind_seed.seed(context)
    seeder.writer.flush()
    return seeder.out, seeder.writer.datums_written


class _RegionSeeder:
    """One account-region: creates each resource, backdates it, records it in the summary."""

    def __init__(
        self, clients: AwsClients, account_id: str, region: str, plan: RegionPlan, now: datetime
    ) -> None:
        self.clients, self.account_id, self.region, self.plan = clients, account_id, region, plan
        self.sm = clients.sagemaker(region)
        self.role = f"arn:aws:iam::{account_id}:role/{SAGEMAKER_ROLE}"
        self.today = now.date()
        self.ages = Ages(account_id, region, now)
        self.writer = MetricWriter(clients.cloudwatch(region), now)
        self.out: list[SeededResource] = []

    def record(
        self,
        kind: str,
        name: str,
        tags: Mapping[str, str] | None = None,
        created_at: datetime | None = None,
        **facts: Any,
    ) -> None:
        self.out.append(
            SeededResource(
                kind=kind,
                account_id=self.account_id,
                region=self.region,
                name=name,
                exempt=is_exempt(tags or {}, self.today),
                created_at=created_at,
                **facts,
            )
        )

    def hosting(self) -> None:
        endpoints = self.plan.endpoints
        model_age, config_age = model_ages(endpoints), config_ages(endpoints)
        for model in self.plan.models:
            create_model(self.sm, model, self.region, self.role)
            created = self.ages.model(model.name, model_age.get(model.name))
            self.record("sagemaker-model", model.name, model.tags, created)
        for config in {e.config.name: e.config for e in endpoints}.values():
            create_endpoint_config(self.sm, config, self.role)
            created = self.ages.endpoint_config(config.name, config_age.get(config.name))
            self.record("sagemaker-endpoint-config", config.name, config.tags, created)
        for endpoint in endpoints:
            create_endpoint(self.clients, self.region, endpoint)
            write_endpoint_metrics(self.writer, endpoint)
            created = self.ages.endpoint(endpoint)
            partly = () if endpoint.idle else tuple(endpoint.idle_variants())
            self.record(
                "sagemaker-endpoint",
                endpoint.name,
                endpoint.tags,
                created,
                idle=endpoint.idle,
                idle_variants=partly,
            )
            for component in endpoint.components:
                created = self.ages.component(endpoint, component)
                idle = component.traffic != "busy"
                self.record(
                    "sagemaker-inference-component",
                    component.name,
                    endpoint.tags,
                    created,
                    idle=idle,
                )

    def notebooks(self) -> None:
        for notebook in self.plan.notebooks:
            create_notebook(self.sm, notebook, self.role)
            created, modified = self.ages.notebook(notebook)
            self.record(
                "sagemaker-notebook-instance",
                notebook.name,
                notebook.tags,
                created,
                last_modified_at=modified if modified != created else None,
            )

    def studio(self) -> None:
        for domain in self.plan.domains:
            domain_id = create_domain(self.clients, self.region, domain, self.role)
            self.record("sagemaker-domain", domain.name, domain.tags, self.ages.domain(domain))
            for profile in domain.profiles:
                created = self.ages.user_profile(domain_id, profile.name, profile.age)
                self.record("sagemaker-user-profile", profile.name, profile.tags, created)
                for app in profile.apps:
                    self._app(domain_id, ("user-profile", profile.name), app)
            for space in domain.spaces:
                created = self.ages.space(domain_id, space.name, space.age)
                self.record("sagemaker-space", space.name, space.tags, created)
                if space.app is not None:
                    self._app(domain_id, ("space", space.name), space.app)
        for server in self.plan.tracking_servers:
            create_tracking_server(self.sm, self.region, server, self.role)
            created = self.ages.tracking_server(server)
            self.record("sagemaker-mlflow-tracking-server", server.name, server.tags, created)

    def _app(self, domain_id: str, owner: tuple[AppOwner, str], app: AppSpec) -> None:
        created = self.ages.app(domain_id, owner, app)
        self.record("sagemaker-app", f"{owner[1]}/{app.app_type}/{app.name}", None, created)

    def bedrock(self) -> None:
        bedrock = self.clients.bedrock(self.region)
        custom_arns: dict[str, str] = {}
        bedrock_role = f"arn:aws:iam::{self.account_id}:role/{BEDROCK_ROLE}"
        for custom in self.plan.custom_models:
            custom_arns[custom.name] = create_custom_model(
                bedrock, self.region, custom, bedrock_role
            )
            created = self.ages.custom_model(custom)
            self.record("bedrock-custom-model", custom.name, custom.tags, created)
        for throughput in self.plan.throughputs:
            model_id = custom_arns.get(throughput.model, throughput.model)
            arn = create_throughput(bedrock, throughput, model_id)
            created = self.ages.throughput(throughput)
            if throughput.busy:
                self.writer.bedrock_model(arn, since=created)
            self.record(
                "bedrock-provisioned-throughput",
                throughput.name,
                throughput.tags,
                created,
                idle=not throughput.busy,
            )

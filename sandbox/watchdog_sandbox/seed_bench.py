"""Many endpoints in one account and region, for the scan benchmark.

The shape mimics a busy ML account: every endpoint has its own config, a handful of models are
shared by all of them, a few notebooks, and one Studio domain with profiles and apps. Creation
runs on a small thread pool because each endpoint costs two sequential round trips to the server.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Literal

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from watchdog_sandbox.seed_clients import AwsClients, service_trust_policy
from watchdog_sandbox.seed_metrics import MetricWriter, Traffic
from watchdog_sandbox.seed_sagemaker import (
    EXEMPT_TAG,
    ConfigSpec,
    EndpointSpec,
    ModelSpec,
    NotebookSpec,
    Variant,
    create_endpoint,
    create_endpoint_config,
    create_model,
    create_notebook,
    is_exempt,
    owner_tags,
    write_endpoint_metrics,
)
from watchdog_sandbox.seed_studio import AppSpec, DomainSpec, ProfileSpec, SpaceSpec, create_domain
from watchdog_sandbox.seed_summary import SeededResource, SeedSummary

BENCH_ROLE = "BenchSageMakerExecutionRole"
_INSTANCE_TYPES = (
    "ml.g5.xlarge",
    "ml.g5.2xlarge",
    "ml.m5.xlarge",
    "ml.c5.xlarge",
    "ml.g4dn.xlarge",
)
_TEAMS = ("genai", "nlp", "risk", "recsys", "vision")


def _endpoint(i: int, models: int) -> EndpointSpec:
    team = _TEAMS[i % len(_TEAMS)]
    tags = owner_tags(f"{team}-lead@example.com", team, team)
    if i % 10 == 9:
        tags[EXEMPT_TAG] = "true"
    instance_type = _INSTANCE_TYPES[i % len(_INSTANCE_TYPES)]
    config = ConfigSpec(
        f"bench-ep-{i:05d}-config",
        (Variant("AllTraffic", f"bench-model-{i % models}", instance_type),),
    )
    # One endpoint in three is idle, a realistic share for a sprawling account.
    traffic: Traffic = "idle" if i % 3 == 0 else "busy"
    return EndpointSpec(f"bench-ep-{i:05d}", config, {"AllTraffic": traffic}, tags)


def seed_many_endpoints(
    n: int,
    region: str,
    session: boto3.Session,
    *,
    endpoint_url: str | None = None,
    models: int = 5,
    notebooks: int = 10,
    profiles: int = 10,
    metric_hours: int = 0,
    now: datetime | None = None,
    workers: int = 8,
) -> SeedSummary:
    """Create `n` endpoints (own config each, `models` shared models), `notebooks` notebook
    instances and a Studio domain with `profiles` user profiles and their apps.

    `metric_hours` > 0 also writes that many hourly datapoints per endpoint metric (one endpoint
    in three without Invocations); 0 writes none, keeping large seeds fast.
    """
    now = now or datetime.now(UTC)
    created_at = datetime.now(UTC)
    config = Config(max_pool_connections=max(10, workers), retries={"mode": "standard"})
    seeder = _BenchSeeder(AwsClients(session, endpoint_url, config), region)
    for k in range(models):
        create_model(seeder.sm, ModelSpec(f"bench-model-{k}"), region, seeder.role)
        seeder.record("sagemaker-model", f"bench-model-{k}")
    writer = MetricWriter(seeder.clients.cloudwatch(region), now, hours=metric_hours)
    seeder.endpoints([_endpoint(i, models) for i in range(n)], writer, workers, now)
    seeder.notebooks(notebooks)
    seeder.studio(_bench_domain(profiles))
    return SeedSummary(
        management_account_id=seeder.account_id,
        regions=(region,),
        now=now,
        created_at=created_at,
        metric_datums=writer.datums_written,
        resources=tuple(seeder.out),
    )


class _BenchSeeder:
    """One account-region of the bench seed, and what it made."""

    def __init__(self, clients: AwsClients, region: str) -> None:
        self.clients, self.region = clients, region
        self.account_id = clients.account_id()
        self.sm = clients.sagemaker(region)
        try:
            clients.iam().create_role(
                RoleName=BENCH_ROLE,
                AssumeRolePolicyDocument=service_trust_policy("sagemaker.amazonaws.com"),
            )
        except ClientError as error:
            # IAM is global: a benchmark seeding a second region finds the role already there.
            if error.response["Error"]["Code"] != "EntityAlreadyExists":
                raise
        self.role = f"arn:aws:iam::{self.account_id}:role/{BENCH_ROLE}"
        self.out: list[SeededResource] = []

    def record(self, kind: str, name: str, *, idle: bool = False, exempt: bool = False) -> None:
        self.out.append(
            SeededResource(
                kind=kind,
                account_id=self.account_id,
                region=self.region,
                name=name,
                idle=idle,
                exempt=exempt,
            )
        )

    def endpoints(
        self, endpoints: list[EndpointSpec], writer: MetricWriter, workers: int, now: datetime
    ) -> None:
        # The pool shares `self.sm`: botocore clients are safe to call from threads, but
        # creating clients from one boto3 session concurrently is not.
        def make(spec: EndpointSpec) -> None:
            create_endpoint_config(self.sm, spec.config, self.role)
            create_endpoint(self.clients, self.region, spec)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(make, endpoints))
        for spec in endpoints:
            if writer.hours:
                write_endpoint_metrics(writer, spec)
            self.record("sagemaker-endpoint-config", spec.config.name)
            idle = spec.idle and writer.hours > 0
            exempt = is_exempt(spec.tags, now.date())
            self.record("sagemaker-endpoint", spec.name, idle=idle, exempt=exempt)
        writer.flush()

    def notebooks(self, count: int) -> None:
        for j in range(count):
            status: Literal["InService", "Stopped"] = "Stopped" if j % 4 == 3 else "InService"
            spec = NotebookSpec(f"bench-nb-{j:03d}", "ml.t3.medium", status)
            create_notebook(self.sm, spec, self.role)
            self.record("sagemaker-notebook-instance", spec.name)

    def studio(self, domain: DomainSpec) -> None:
        create_domain(self.clients, self.region, domain, self.role)
        self.record("sagemaker-domain", domain.name)
        for profile in domain.profiles:
            self.record("sagemaker-user-profile", profile.name)
            for app in profile.apps:
                self.record("sagemaker-app", f"{profile.name}/{app.app_type}/{app.name}")
        for space in domain.spaces:
            self.record("sagemaker-space", space.name)
            if space.app is not None:
                name = f"{space.name}/{space.app.app_type}/{space.app.name}"
                self.record("sagemaker-app", name)


def _bench_domain(profiles: int) -> DomainSpec:
    kernel = AppSpec("KernelGateway", "datascience-1-0-ml-t3-medium", "ml.t3.medium")
    return DomainSpec(
        "bench-studio",
        idle_shutdown="DISABLED",
        profiles=tuple(
            ProfileSpec(
                f"user-{p:03d}",
                apps=(AppSpec("JupyterServer"), kernel)
                if p % 2 == 0
                else (AppSpec("JupyterServer"),),
            )
            for p in range(profiles)
        ),
        spaces=(
            SpaceSpec(
                "bench-shared",
                "user-000",
                "Shared",
                app=AppSpec("JupyterLab", instance_type="ml.t3.medium"),
            ),
        ),
    )

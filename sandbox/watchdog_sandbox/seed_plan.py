"""What the demo organisation contains: declarative specs per account and region.

Each resource is here because it exercises a rule from aws-facts.md: idle GPU endpoints (with no
Invocations datapoints, and with explicit zeros), busy ones, a half-idle multi-variant endpoint,
serverless and scaled-to-zero async endpoints (never an idle cost), an idle serverless endpoint
with provisioned concurrency (which bills while idle), a busy async endpoint
(judged by InvocationsProcessed and its backlog, as it publishes no Invocations), a config and
model shared by two endpoints, inference components, Studio with idle shutdown off on the domain
and on for one profile, a space app, an MLflow server, Bedrock provisioned throughput with and
without a commitment, exemptions by tag, and resources nobody owns.

Every resource states its age at the seed's `now` (its CreationTime is set to `now - age`; configs
and models are dated just before the first endpoint that uses them). The ages are chosen so that
at the real time, right after seeding, the shipped policies (7-day idle windows, notebooks running
longer than 12 h, Studio apps longer than 24 h, MLflow servers older than 14 days, stopped
notebooks older than 30 days) find something on each side of every threshold: idle endpoints
weeks old, busy ones older still, and chatbot-west-poc, idle but created two days ago, which must
come out "unknown", never idle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watchdog_sandbox.kinds import DemoTags, sandbox_kinds
from watchdog_sandbox.seed_bedrock import CustomModelSpec, ThroughputSpec
from watchdog_sandbox.seed_demo_specs import (
    GENAI,
    NLP,
    PT_FOUNDATION_MODEL,
    RECSYS,
    RISK,
    days,
    east_domains,
    east_endpoints,
    east_models,
    east_notebooks,
    east_throughputs,
    hours,
    single,
)
from watchdog_sandbox.seed_kinds import KindSeed
from watchdog_sandbox.seed_sagemaker import (
    EXEMPT_TAG,
    EXPIRES_TAG,
    SKLEARN_IMAGE,
    ConfigSpec,
    EndpointSpec,
    ModelSpec,
    NotebookSpec,
    Variant,
    owner_tags,
)
from watchdog_sandbox.seed_studio import (
    DomainSpec,
    TrackingServerSpec,
)

PRIMARY_REGION = "us-east-1"
SECONDARY_REGION = "us-west-2"


@dataclass(frozen=True)
class RegionPlan:
    models: tuple[ModelSpec, ...] = ()
    endpoints: tuple[EndpointSpec, ...] = ()
    notebooks: tuple[NotebookSpec, ...] = ()
    domains: tuple[DomainSpec, ...] = ()
    tracking_servers: tuple[TrackingServerSpec, ...] = ()
    custom_models: tuple[CustomModelSpec, ...] = ()
    throughputs: tuple[ThroughputSpec, ...] = ()
    # Demo resources of kinds with their own sandbox module (seed_kinds.KindSeed).
    kinds: tuple[KindSeed, ...] = ()


@dataclass(frozen=True)
class AccountPlan:
    regions: dict[str, RegionPlan] = field(default_factory=dict)


def west_region() -> RegionPlan:
    """The second region: a too-young idle endpoint, a busy asynchronous one, a new notebook."""
    return RegionPlan(
        models=(
            ModelSpec("llama3-8b-instruct", tags=GENAI),
            ModelSpec("bge-embeddings", tags=RECSYS),
        ),
        endpoints=(
            # Deployed two days ago and not called yet: too young to call idle ("unknown").
            single(
                "chatbot-west-poc", "llama3-8b-instruct", "ml.g5.2xlarge", "idle", GENAI, days(2)
            ),
            # Asynchronous and busy: it publishes InvocationsProcessed, never Invocations, and
            # must not read idle while its instance works through the queue.
            EndpointSpec(
                "embeddings-west",
                ConfigSpec(
                    "embeddings-west-config",
                    (Variant("AllTraffic", "bge-embeddings", "ml.g5.xlarge"),),
                    async_output="s3://recsys-async-results/embeddings/",
                ),
                {"AllTraffic": "busy"},
                RECSYS,
                age=days(22),
            ),
        ),
        # Started six hours ago: not running long yet.
        notebooks=(
            NotebookSpec(
                "west-analytics",
                "ml.t3.medium",
                "InService",
                RECSYS,
                age=days(14),
                in_status_for=hours(6),
            ),
        ),
    )


def management_plan(now: datetime) -> AccountPlan:
    expires = (now + timedelta(days=30)).date().isoformat()
    exempt, expiring = {**GENAI, EXEMPT_TAG: "true"}, {**GENAI, EXPIRES_TAG: expires}
    east = RegionPlan(
        models=east_models(),
        endpoints=east_endpoints(exempt, expiring),
        notebooks=east_notebooks(),
        domains=east_domains(),
        tracking_servers=(TrackingServerSpec("genai-mlflow", tags=GENAI, age=days(35)),),
        custom_models=(CustomModelSpec("support-bot-titan-ft", tags=NLP, age=days(28)),),
        throughputs=east_throughputs(),
        kinds=tuple(
            seed
            for declared in sandbox_kinds()
            for seed in declared.demo(DemoTags(GENAI, NLP, RISK, RECSYS, exempt))
        ),
    )
    return AccountPlan({PRIMARY_REGION: east, SECONDARY_REGION: west_region()})


def member_plan(now: datetime) -> AccountPlan:
    del now  # nothing in the member account depends on the date
    legal = owner_tags("erin@example.com", "legal-ai", "legal-ai")
    east = RegionPlan(
        models=(
            ModelSpec("rag-llama3-8b", tags=legal),
            ModelSpec("doc-classifier", SKLEARN_IMAGE, legal),
        ),
        endpoints=(
            single("rag-poc", "rag-llama3-8b", "ml.g5.2xlarge", "idle", legal, days(19)),
            single("doc-classifier-prod", "doc-classifier", "ml.m5.large", "busy", legal, days(75)),
        ),
        notebooks=(
            NotebookSpec(
                "legal-sandbox",
                "ml.t3.large",
                "InService",
                legal,
                age=days(20),
                in_status_for=hours(26),
            ),
        ),
        throughputs=(
            # Idle but committed: can only be reported until the commitment expires.
            ThroughputSpec(
                "legal-review-pt",
                PT_FOUNDATION_MODEL,
                busy=False,
                commitment="SixMonths",
                tags=legal,
                age=days(30),
            ),
        ),
    )
    west = RegionPlan(
        models=(ModelSpec("rag-llama3-8b"),),
        # Nobody's: no owner tags, so notifications fall back to the default channel.
        endpoints=(
            single("orphaned-west-test", "rag-llama3-8b", "ml.g5.xlarge", "idle", {}, days(45)),
        ),
        notebooks=(
            NotebookSpec(
                "old-west-notebook", "ml.t3.medium", "Stopped", age=days(90), in_status_for=days(80)
            ),
        ),
    )
    return AccountPlan({PRIMARY_REGION: east, SECONDARY_REGION: west})

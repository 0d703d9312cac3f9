"""What the demo organisation contains: declarative specs per account and region.

Each resource is here because it exercises a rule from aws-facts.md: idle GPU endpoints (with no
Invocations datapoints, and with explicit zeros), busy ones, a half-idle multi-variant endpoint,
serverless and scaled-to-zero async endpoints (never an idle cost), an idle serverless endpoint with
provisioned concurrency (which bills while idle), a busy async endpoint (judged by
InvocationsProcessed and its backlog, as it publishes no Invocations), a config and model shared by
two endpoints, inference components, Studio with idle shutdown off on the domain and on for one
profile, a space app, Canvas sessions, an MLflow server, Bedrock provisioned throughput with and
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

from watchdog_sandbox.bedrock_marketplace_endpoints import demo_seeds
from watchdog_sandbox.ec2_accelerated_instances import gpu_instances
from watchdog_sandbox.sagemaker_canvas import canvas_sessions
from watchdog_sandbox.seed_bedrock import CustomModelSpec, ThroughputSpec
from watchdog_sandbox.seed_kinds import KindSeed
from watchdog_sandbox.seed_metrics import Traffic
from watchdog_sandbox.seed_sagemaker import (
    EXEMPT_TAG,
    EXPIRES_TAG,
    SKLEARN_IMAGE,
    ComponentSpec,
    ConfigSpec,
    EndpointSpec,
    ModelSpec,
    NotebookSpec,
    Variant,
    owner_tags,
)
from watchdog_sandbox.seed_studio import (
    AppSpec,
    DomainSpec,
    ProfileSpec,
    SpaceSpec,
    TrackingServerSpec,
)

PRIMARY_REGION = "us-east-1"
SECONDARY_REGION = "us-west-2"

# Foundation model offered with provisioned throughput (the ":8k" suffix is its context length).
PT_FOUNDATION_MODEL = "amazon.titan-text-express-v1:0:8k"


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


GENAI = owner_tags("alice@example.com", "genai", "genai-costs")
NLP = owner_tags("bob@example.com", "nlp", "nlp-team")
RISK = owner_tags("carol@example.com", "risk", "risk-ml")
RECSYS = owner_tags("dan@example.com", "recsys", "recsys")


def days(n: float) -> timedelta:
    return timedelta(days=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def _single(
    name: str,
    model: str,
    instance_type: str,
    traffic: Traffic,
    tags: dict[str, str],
    age: timedelta,
    count: int = 1,
) -> EndpointSpec:
    """The common case: one model, one AllTraffic variant, a config named after the endpoint."""
    config = ConfigSpec(f"{name}-config", (Variant("AllTraffic", model, instance_type, count),))
    return EndpointSpec(name, config, {"AllTraffic": traffic}, tags, age=age)


def management_plan(now: datetime) -> AccountPlan:
    expires = (now + timedelta(days=30)).date().isoformat()
    exempt, expiring = {**GENAI, EXEMPT_TAG: "true"}, {**GENAI, EXPIRES_TAG: expires}
    shared = ConfigSpec(
        "summarizer-shared-config", (Variant("AllTraffic", "summarizer-flan-t5", "ml.g5.xlarge"),)
    )
    ab_test = ConfigSpec(
        "recsys-ab-test-config",
        (
            Variant("champion", "recsys-ranker-v1", "ml.g5.xlarge"),
            Variant("challenger", "recsys-ranker-v2", "ml.g5.xlarge"),
        ),
    )
    ic_host = ConfigSpec(
        "genai-shared-host-config", (Variant("AllTraffic", None, "ml.g5.12xlarge"),)
    )
    east = RegionPlan(
        models=(
            ModelSpec("llama3-8b-instruct", tags=GENAI),
            ModelSpec("mistral-7b-instruct", tags=NLP),
            ModelSpec("summarizer-flan-t5", tags=NLP),
            ModelSpec("fraud-scorer-xgb", SKLEARN_IMAGE, RISK),
            ModelSpec("recsys-ranker-v1", tags=RECSYS),
            ModelSpec("recsys-ranker-v2", tags=RECSYS),
            ModelSpec("sentiment-distilbert", tags=NLP),
            ModelSpec("whisper-large-v3", tags=GENAI),
        ),
        endpoints=(
            # Idle GPU endpoints, three weeks and twelve days old: provably idle over a week.
            _single(
                "llama3-8b-chat-poc", "llama3-8b-instruct", "ml.g5.2xlarge", "idle", GENAI, days(21)
            ),
            _single(
                "mistral-7b-eval",
                "mistral-7b-instruct",
                "ml.g5.xlarge",
                "idle-zeros",
                NLP,
                days(12),
            ),
            _single(
                "fraud-scoring-prod",
                "fraud-scorer-xgb",
                "ml.m5.xlarge",
                "busy",
                RISK,
                days(40),
                count=2,
            ),
            _single(
                "support-intent-g5", "mistral-7b-instruct", "ml.g5.xlarge", "busy", NLP, days(25)
            ),
            EndpointSpec(
                "recsys-ab-test",
                ab_test,
                {"champion": "busy", "challenger": "idle"},
                RECSYS,
                age=days(18),
            ),
            EndpointSpec(
                "sentiment-serverless",
                ConfigSpec(
                    "sentiment-serverless-config", (Variant("AllTraffic", "sentiment-distilbert"),)
                ),
                {"AllTraffic": "idle"},
                NLP,
                age=days(30),
            ),
            # Serverless too, but two units of provisioned concurrency kept warm: memory x
            # concurrency x hours bill with no requests at all, so idle is a finding.
            EndpointSpec(
                "faq-bot-serverless",
                ConfigSpec(
                    "faq-bot-serverless-config",
                    (Variant("AllTraffic", "sentiment-distilbert", provisioned_concurrency=2),),
                ),
                {"AllTraffic": "idle"},
                NLP,
                age=days(20),
            ),
            EndpointSpec(
                "transcribe-async",
                ConfigSpec(
                    "transcribe-async-config",
                    (Variant("AllTraffic", "whisper-large-v3", "ml.g5.xlarge"),),
                    async_output="s3://genai-async-results/transcribe/",
                ),
                {"AllTraffic": "idle"},
                GENAI,
                scaled_to_zero=True,
                age=days(15),
            ),
            EndpointSpec("summarizer-team-a", shared, {"AllTraffic": "busy"}, NLP, age=days(35)),
            EndpointSpec("summarizer-team-b", shared, {"AllTraffic": "idle"}, NLP, age=days(33)),
            EndpointSpec(
                "genai-shared-host",
                ic_host,
                {"AllTraffic": "busy"},
                GENAI,
                components=(
                    ComponentSpec("llama3-8b-ic", "llama3-8b-instruct", "busy"),
                    # Added later, idle ever since: ten days, so idle over a week.
                    ComponentSpec("mistral-7b-ic", "mistral-7b-instruct", "idle", age=days(10)),
                ),
                age=days(16),
            ),
            _single(
                "research-baseline", "llama3-8b-instruct", "ml.g5.xlarge", "idle", exempt, days(60)
            ),
            _single(
                "hackathon-demo", "llama3-8b-instruct", "ml.g5.xlarge", "idle", expiring, days(9)
            ),
        ),
        notebooks=(
            # Started three days ago and left running.
            NotebookSpec(
                "alice-exploration",
                "ml.t3.medium",
                "InService",
                GENAI,
                age=days(30),
                in_status_for=days(3),
            ),
            # A GPU notebook nobody owns, running since it was created.
            NotebookSpec(
                "gpu-scratchpad", "ml.p3.2xlarge", "InService", {}, volume_gb=100, age=days(10)
            ),
            # Stopped for 40 days; its volume still bills.
            NotebookSpec(
                "legacy-experiments",
                "ml.t3.xlarge",
                "Stopped",
                RISK,
                age=days(60),
                in_status_for=days(40),
            ),
            NotebookSpec(
                "platform-admin",
                "ml.t3.medium",
                "InService",
                {**RISK, EXEMPT_TAG: "true"},
                age=days(200),
                in_status_for=days(50),
            ),
        ),
        domains=(
            DomainSpec(
                "genai-studio",
                idle_shutdown="DISABLED",
                profiles=(
                    ProfileSpec(
                        "alice",
                        apps=(
                            AppSpec("JupyterServer", age=days(90)),
                            # A kernel left running for two days.
                            AppSpec(
                                "KernelGateway",
                                "datascience-1-0-ml-t3-medium",
                                "ml.t3.medium",
                                age=days(2),
                            ),
                        ),
                        tags=GENAI,
                        age=days(90),
                    ),
                    ProfileSpec(
                        "bob",
                        idle_shutdown="ENABLED",
                        idle_timeout_minutes=60,
                        # Opened Studio this morning.
                        apps=(AppSpec("JupyterServer", age=hours(6)),),
                        tags=NLP,
                        age=days(60),
                    ),
                ),
                spaces=(
                    SpaceSpec(
                        "team-shared",
                        "bob",
                        "Shared",
                        # A JupyterLab app running for five days.
                        app=AppSpec("JupyterLab", instance_type="ml.t3.medium", age=days(5)),
                        tags=GENAI,
                        age=days(45),
                    ),
                    SpaceSpec("alice-private", "alice", "Private", tags=GENAI, age=days(30)),
                ),
                tags=GENAI,
                age=days(120),
            ),
        ),
        tracking_servers=(TrackingServerSpec("genai-mlflow", tags=GENAI, age=days(35)),),
        custom_models=(CustomModelSpec("support-bot-titan-ft", tags=NLP, age=days(28)),),
        throughputs=(
            # Bought 20 days ago, no commitment, no traffic: idle and deletable.
            ThroughputSpec(
                "support-bot-pt", "support-bot-titan-ft", busy=False, tags=NLP, age=days(20)
            ),
            ThroughputSpec(
                "claims-summarizer-pt",
                PT_FOUNDATION_MODEL,
                busy=True,
                commitment="SixMonths",
                tags=RISK,
                age=days(50),
            ),
        ),
        kinds=(*demo_seeds(NLP), *gpu_instances(GENAI, NLP, RECSYS, exempt), *canvas_sessions()),
    )
    west = RegionPlan(
        models=(
            ModelSpec("llama3-8b-instruct", tags=GENAI),
            ModelSpec("bge-embeddings", tags=RECSYS),
        ),
        endpoints=(
            # Deployed two days ago and not called yet: too young to call idle ("unknown").
            _single(
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
    return AccountPlan({PRIMARY_REGION: east, SECONDARY_REGION: west})


def member_plan(now: datetime) -> AccountPlan:
    del now  # nothing in the member account depends on the date
    legal = owner_tags("erin@example.com", "legal-ai", "legal-ai")
    east = RegionPlan(
        models=(
            ModelSpec("rag-llama3-8b", tags=legal),
            ModelSpec("doc-classifier", SKLEARN_IMAGE, legal),
        ),
        endpoints=(
            _single("rag-poc", "rag-llama3-8b", "ml.g5.2xlarge", "idle", legal, days(19)),
            _single(
                "doc-classifier-prod", "doc-classifier", "ml.m5.large", "busy", legal, days(75)
            ),
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
            _single("orphaned-west-test", "rag-llama3-8b", "ml.g5.xlarge", "idle", {}, days(45)),
        ),
        notebooks=(
            NotebookSpec(
                "old-west-notebook", "ml.t3.medium", "Stopped", age=days(90), in_status_for=days(80)
            ),
        ),
    )
    return AccountPlan({PRIMARY_REGION: east, SECONDARY_REGION: west})

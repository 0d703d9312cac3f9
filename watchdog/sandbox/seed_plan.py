"""What the demo organisation contains: declarative specs per account and region.

Each resource is here because it exercises a rule from aws-facts.md: idle GPU endpoints (with no
Invocations datapoints, and with explicit zeros), busy ones, a half-idle multi-variant endpoint,
serverless and scaled-to-zero async endpoints (never an idle cost), a config and model shared by
two endpoints, inference components, Studio with idle shutdown off on the domain and on for one
profile, a space app, an MLflow server, Bedrock provisioned throughput with and without a
commitment, exemptions by tag, and resources nobody owns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from watchdog.sandbox.seed_bedrock import CustomModelSpec, ThroughputSpec
from watchdog.sandbox.seed_metrics import Traffic
from watchdog.sandbox.seed_sagemaker import (
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
from watchdog.sandbox.seed_studio import (
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


@dataclass(frozen=True)
class AccountPlan:
    regions: dict[str, RegionPlan] = field(default_factory=dict)


GENAI = owner_tags("alice@example.com", "genai", "#genai-costs")
NLP = owner_tags("bob@example.com", "nlp", "#nlp-team")
RISK = owner_tags("carol@example.com", "risk", "#risk-ml")
RECSYS = owner_tags("dan@example.com", "recsys", "#recsys")


def _single(
    name: str,
    model: str,
    instance_type: str,
    traffic: Traffic,
    tags: dict[str, str],
    count: int = 1,
) -> EndpointSpec:
    """The common case: one model, one AllTraffic variant, a config named after the endpoint."""
    config = ConfigSpec(f"{name}-config", (Variant("AllTraffic", model, instance_type, count),))
    return EndpointSpec(name, config, {"AllTraffic": traffic}, tags)


def management_plan(now: datetime) -> AccountPlan:
    expires = (now + timedelta(days=30)).date().isoformat()
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
            _single("llama3-8b-chat-poc", "llama3-8b-instruct", "ml.g5.2xlarge", "idle", GENAI),
            _single("mistral-7b-eval", "mistral-7b-instruct", "ml.g5.xlarge", "idle-zeros", NLP),
            _single("fraud-scoring-prod", "fraud-scorer-xgb", "ml.m5.xlarge", "busy", RISK, 2),
            _single("support-intent-g5", "mistral-7b-instruct", "ml.g5.xlarge", "busy", NLP),
            EndpointSpec(
                "recsys-ab-test", ab_test, {"champion": "busy", "challenger": "idle"}, RECSYS
            ),
            EndpointSpec(
                "sentiment-serverless",
                ConfigSpec(
                    "sentiment-serverless-config", (Variant("AllTraffic", "sentiment-distilbert"),)
                ),
                {"AllTraffic": "idle"},
                NLP,
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
            ),
            EndpointSpec("summarizer-team-a", shared, {"AllTraffic": "busy"}, NLP),
            EndpointSpec("summarizer-team-b", shared, {"AllTraffic": "idle"}, NLP),
            EndpointSpec(
                "genai-shared-host",
                ic_host,
                {"AllTraffic": "busy"},
                GENAI,
                components=(
                    ComponentSpec("llama3-8b-ic", "llama3-8b-instruct", "busy"),
                    ComponentSpec("mistral-7b-ic", "mistral-7b-instruct", "idle"),
                ),
            ),
            _single(
                "research-baseline",
                "llama3-8b-instruct",
                "ml.g5.xlarge",
                "idle",
                {**GENAI, EXEMPT_TAG: "true"},
            ),
            _single(
                "hackathon-demo",
                "llama3-8b-instruct",
                "ml.g5.xlarge",
                "idle",
                {**GENAI, EXPIRES_TAG: expires},
            ),
        ),
        notebooks=(
            NotebookSpec("alice-exploration", "ml.t3.medium", "InService", GENAI),
            NotebookSpec("gpu-scratchpad", "ml.p3.2xlarge", "InService", {}, volume_gb=100),
            NotebookSpec("legacy-experiments", "ml.t3.xlarge", "Stopped", RISK),
            NotebookSpec(
                "platform-admin", "ml.t3.medium", "InService", {**RISK, EXEMPT_TAG: "true"}
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
                            AppSpec("JupyterServer"),
                            AppSpec(
                                "KernelGateway", "datascience-1-0-ml-t3-medium", "ml.t3.medium"
                            ),
                        ),
                        tags=GENAI,
                    ),
                    ProfileSpec(
                        "bob",
                        idle_shutdown="ENABLED",
                        idle_timeout_minutes=60,
                        apps=(AppSpec("JupyterServer"),),
                        tags=NLP,
                    ),
                ),
                spaces=(
                    SpaceSpec(
                        "team-shared",
                        "bob",
                        "Shared",
                        app=AppSpec("JupyterLab", instance_type="ml.t3.medium"),
                        tags=GENAI,
                    ),
                    SpaceSpec("alice-private", "alice", "Private", tags=GENAI),
                ),
                tags=GENAI,
            ),
        ),
        tracking_servers=(TrackingServerSpec("genai-mlflow", tags=GENAI),),
        custom_models=(CustomModelSpec("support-bot-titan-ft", tags=NLP),),
        throughputs=(
            ThroughputSpec("support-bot-pt", "support-bot-titan-ft", busy=False, tags=NLP),
            ThroughputSpec(
                "claims-summarizer-pt",
                PT_FOUNDATION_MODEL,
                busy=True,
                commitment="SixMonths",
                tags=RISK,
            ),
        ),
    )
    west = RegionPlan(
        models=(
            ModelSpec("llama3-8b-instruct", tags=GENAI),
            ModelSpec("bge-embeddings", tags=RECSYS),
        ),
        endpoints=(
            _single("chatbot-west-poc", "llama3-8b-instruct", "ml.g5.2xlarge", "idle", GENAI),
            _single("embeddings-west", "bge-embeddings", "ml.g5.xlarge", "busy", RECSYS),
        ),
        notebooks=(NotebookSpec("west-analytics", "ml.t3.medium", "InService", RECSYS),),
    )
    return AccountPlan({PRIMARY_REGION: east, SECONDARY_REGION: west})


def member_plan(now: datetime) -> AccountPlan:
    del now  # nothing in the member account depends on the date
    legal = owner_tags("erin@example.com", "legal-ai", "#legal-ai")
    east = RegionPlan(
        models=(
            ModelSpec("rag-llama3-8b", tags=legal),
            ModelSpec("doc-classifier", SKLEARN_IMAGE, legal),
        ),
        endpoints=(
            _single("rag-poc", "rag-llama3-8b", "ml.g5.2xlarge", "idle", legal),
            _single("doc-classifier-prod", "doc-classifier", "ml.m5.large", "busy", legal),
        ),
        notebooks=(NotebookSpec("legal-sandbox", "ml.t3.large", "InService", legal),),
        throughputs=(
            # Idle but committed: can only be reported until the commitment expires.
            ThroughputSpec(
                "legal-review-pt",
                PT_FOUNDATION_MODEL,
                busy=False,
                commitment="SixMonths",
                tags=legal,
            ),
        ),
    )
    west = RegionPlan(
        models=(ModelSpec("rag-llama3-8b"),),
        # Nobody's: no owner tags, so notifications fall back to the default channel.
        endpoints=(_single("orphaned-west-test", "rag-llama3-8b", "ml.g5.xlarge", "idle", {}),),
        notebooks=(NotebookSpec("old-west-notebook", "ml.t3.medium", "Stopped"),),
    )
    return AccountPlan({PRIMARY_REGION: east, SECONDARY_REGION: west})

"""The demo organisation's management account, its us-east-1 resources as specs (seed_plan.py
puts them into regions): owners, the models, endpoints, notebooks, Studio and Bedrock resources
each there to exercise a rule of aws-facts.md (seed_plan.py's docstring says which)."""

from __future__ import annotations

from datetime import timedelta

from watchdog_sandbox.seed_bedrock import ThroughputSpec
from watchdog_sandbox.seed_metrics import Traffic
from watchdog_sandbox.seed_sagemaker import (
    EXEMPT_TAG,
    SKLEARN_IMAGE,
    ComponentSpec,
    ConfigSpec,
    EndpointSpec,
    ModelSpec,
    NotebookSpec,
    Variant,
    owner_tags,
)
from watchdog_sandbox.seed_studio import AppSpec, DomainSpec, ProfileSpec, SpaceSpec

# Foundation model offered with provisioned throughput (the ":8k" suffix is its context length).
PT_FOUNDATION_MODEL = "amazon.titan-text-express-v1:0:8k"


GENAI = owner_tags("alice@example.com", "genai", "genai-costs")
NLP = owner_tags("bob@example.com", "nlp", "nlp-team")
RISK = owner_tags("carol@example.com", "risk", "risk-ml")
RECSYS = owner_tags("dan@example.com", "recsys", "recsys")


def days(n: float) -> timedelta:
    return timedelta(days=n)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def single(
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


def east_models() -> tuple[ModelSpec, ...]:
    """The models the east endpoints and components serve."""
    return (
        ModelSpec("llama3-8b-instruct", tags=GENAI),
        ModelSpec("mistral-7b-instruct", tags=NLP),
        ModelSpec("summarizer-flan-t5", tags=NLP),
        ModelSpec("fraud-scorer-xgb", SKLEARN_IMAGE, RISK),
        ModelSpec("recsys-ranker-v1", tags=RECSYS),
        ModelSpec("recsys-ranker-v2", tags=RECSYS),
        ModelSpec("sentiment-distilbert", tags=NLP),
        ModelSpec("whisper-large-v3", tags=GENAI),
    )


def east_endpoints(exempt: dict[str, str], expiring: dict[str, str]) -> tuple[EndpointSpec, ...]:
    """Idle, busy, serverless, asynchronous, shared-config, multi-variant and component-hosting
    endpoints, and an exempt and an expiring one."""
    return (*_instance_endpoints(), *_serverless_and_async_endpoints(), *_shared(exempt, expiring))


def _instance_endpoints() -> tuple[EndpointSpec, ...]:
    """Idle and busy endpoints on instances, and a two-variant A/B test with one variant idle."""
    ab_test = ConfigSpec(
        "recsys-ab-test-config",
        (
            Variant("champion", "recsys-ranker-v1", "ml.g5.xlarge"),
            Variant("challenger", "recsys-ranker-v2", "ml.g5.xlarge"),
        ),
    )
    return (
        # Idle GPU endpoints, three weeks and twelve days old: provably idle over a week.
        single(
            "llama3-8b-chat-poc", "llama3-8b-instruct", "ml.g5.2xlarge", "idle", GENAI, days(21)
        ),
        single(
            "mistral-7b-eval",
            "mistral-7b-instruct",
            "ml.g5.xlarge",
            "idle-zeros",
            NLP,
            days(12),
        ),
        single(
            "fraud-scoring-prod",
            "fraud-scorer-xgb",
            "ml.m5.xlarge",
            "busy",
            RISK,
            days(40),
            count=2,
        ),
        single("support-intent-g5", "mistral-7b-instruct", "ml.g5.xlarge", "busy", NLP, days(25)),
        EndpointSpec(
            "recsys-ab-test",
            ab_test,
            {"champion": "busy", "challenger": "idle"},
            RECSYS,
            age=days(18),
        ),
    )


def _serverless_and_async_endpoints() -> tuple[EndpointSpec, ...]:
    """Serverless (with and without provisioned concurrency) and asynchronous at zero."""
    return (
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
    )


def _shared(exempt: dict[str, str], expiring: dict[str, str]) -> tuple[EndpointSpec, ...]:
    """A config shared by two endpoints, a host of inference components, exempt and expiring."""
    shared = ConfigSpec(
        "summarizer-shared-config", (Variant("AllTraffic", "summarizer-flan-t5", "ml.g5.xlarge"),)
    )
    ic_host = ConfigSpec(
        "genai-shared-host-config", (Variant("AllTraffic", None, "ml.g5.12xlarge"),)
    )
    return (
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
        single("research-baseline", "llama3-8b-instruct", "ml.g5.xlarge", "idle", exempt, days(60)),
        single("hackathon-demo", "llama3-8b-instruct", "ml.g5.xlarge", "idle", expiring, days(9)),
    )


def east_notebooks() -> tuple[NotebookSpec, ...]:
    """Running long, running unowned on a GPU, stopped for weeks, and exempt."""
    return (
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
    )


def east_domains() -> tuple[DomainSpec, ...]:
    """A Studio domain with idle shutdown off, and on for one profile; apps and spaces."""
    return (
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
    )


def east_throughputs() -> tuple[ThroughputSpec, ...]:
    """Provisioned throughput with and without a commitment."""
    return (
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
    )

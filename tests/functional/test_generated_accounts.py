"""Safety over generated accounts, end to end on the in-process sandbox: whatever mix of the new
AI cost traps an account holds (GPU instances, Marketplace endpoints, HyperPod clusters, vector
collections with their knowledge bases), a single automatic run with the most aggressive
policies never stops or deletes a busy resource, an instance another service manages, a
collection whose knowledge base an agent uses, or an exempt-tagged one; and every idle (or,
with no idle signal, old), unmanaged, unexempt one with strong evidence is acted on (so the test
cannot pass by doing nothing).

Each example is a fresh emulator: the account is seeded through the kinds' seed hooks (the
same code `make demo` uses), then scanned, evaluated, planned and executed by `apply`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import boto3
import watchdog_sandbox as sandbox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from watchdog_sandbox.kinds.bedrock_marketplace_endpoints import MarketplaceEndpointSeed
from watchdog_sandbox.kinds.ec2_accelerated_instances import GpuInstance
from watchdog_sandbox.kinds.knowledge_bases import CollectionSeed, KnowledgeBaseSeed
from watchdog_sandbox.kinds.sagemaker_hyperpod_clusters import Group, HyperPodCluster
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_kinds import KindSeed
from watchdog_sandbox.seed_plan import RegionPlan

from tests.fakes import FakeClock
from watchdog.act import ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
GPU = "ec2-accelerated-instance"
MARKETPLACE = "bedrock-marketplace-endpoint"
HYPERPOD = "sagemaker-hyperpod-cluster"
COLLECTION = "opensearch-serverless-collection"
# Tags by which another service owns an instance: the kind must refuse each (watchdog/kinds/_ec2).
MANAGERS = {
    "none": {},
    "asg": {"aws:autoscaling:groupName": "gpu-pool"},
    "eks": {"eks:cluster-name": "ml-platform"},
}
EXEMPTIONS = (
    {},
    {"watchdog:exempt": "true"},
    {"watchdog:expires": "2099-01-01"},
)


@dataclass(frozen=True)
class Drawn:
    """One generated resource and what must become of it."""

    seed: KindSeed
    kind: str
    name: str
    protected: bool  # busy, managed or exempt: never stopped or deleted
    must_act: bool  # idle on strong evidence, unmanaged, unexempt, older than the window


@st.composite
def gpu_instance(draw: st.DrawFn, i: int) -> Drawn:
    busy = draw(st.booleans())
    manager = draw(st.sampled_from(sorted(MANAGERS)))
    exempt = draw(st.sampled_from(EXEMPTIONS))
    agent = draw(st.booleans())
    age_days = draw(st.sampled_from([3, 10, 30]))
    name = f"gpu-{i}"
    seed = GpuInstance(
        name,
        instance_type=draw(st.sampled_from(["g5.xlarge", "p4d.24xlarge", "inf2.xlarge"])),
        use="busy" if busy else "idle",
        age=timedelta(days=age_days),
        agent=agent,
        tags={"team": "genai", **MANAGERS[manager], **exempt},
    )
    protected = busy or manager != "none" or bool(exempt)
    # Without the agent only CPU and network speak, which is weak evidence: acting on it is
    # allowed, not required, so the liveness half asks for it only with the agent.
    must_act = not protected and agent and age_days > 7
    return Drawn(seed, GPU, name, protected, must_act)


@st.composite
def marketplace_endpoint(draw: st.DrawFn, i: int) -> Drawn:
    busy = draw(st.booleans())
    exempt = draw(st.sampled_from(EXEMPTIONS))
    age_days = draw(st.sampled_from([3, 14]))
    name = f"marketplace-{i}"
    seed = MarketplaceEndpointSeed(
        name,
        "huggingface-llm-mistral-7b",
        "ml.g5.2xlarge",
        {"team": "nlp", **exempt},
        age_days,
        busy=busy,
    )
    protected = busy or bool(exempt)
    return Drawn(seed, MARKETPLACE, name, protected, not protected and age_days > 7)


@st.composite
def hyperpod_cluster(draw: st.DrawFn, i: int) -> Drawn:
    exempt = draw(st.sampled_from(EXEMPTIONS))
    age_days = draw(st.sampled_from([3, 30]))
    name = f"hyperpod-{i}"
    seed = HyperPodCluster(
        name,
        (Group("workers", "ml.g5.xlarge", draw(st.integers(min_value=1, max_value=3))),),
        age=timedelta(days=age_days),
        eks=draw(st.sampled_from([None, "ml-platform"])),
        tags={"team": "genai", **exempt},
    )
    protected = bool(exempt)
    return Drawn(seed, HYPERPOD, name, protected, not protected and age_days > 7)


@st.composite
def vector_collection(draw: st.DrawFn, i: int) -> Drawn:
    busy = draw(st.booleans())
    exempt = draw(st.sampled_from(EXEMPTIONS))
    agent = draw(st.booleans())  # an agent uses its knowledge base: busy, never deletable
    age_days = draw(st.sampled_from([3, 21]))
    name = f"vectors-{i}"
    chain = (KnowledgeBaseSeed(f"kb-{i}", ("docs",), agent=f"agent{i}" if agent else None),)
    seed = CollectionSeed(
        name,
        {"team": "genai", **exempt},
        use="busy" if busy else "idle",
        age=timedelta(days=age_days),
        knowledge_bases=chain,
    )
    protected = busy or agent or bool(exempt)
    return Drawn(seed, COLLECTION, name, protected, not protected and age_days > 7)


@st.composite
def accounts(draw: st.DrawFn) -> list[Drawn]:
    gpus = draw(st.integers(min_value=0, max_value=4))
    marketplaces = draw(st.integers(min_value=0, max_value=2))
    clusters = draw(st.integers(min_value=0, max_value=2))
    collections = draw(st.integers(min_value=0, max_value=2))
    drawn = [draw(gpu_instance(i)) for i in range(gpus)]
    drawn += [draw(marketplace_endpoint(i)) for i in range(marketplaces)]
    drawn += [draw(hyperpod_cluster(i)) for i in range(clusters)]
    drawn += [draw(vector_collection(i)) for i in range(collections)]
    return drawn


def policies() -> list[Policy]:
    """The most aggressive a user could write: act at once, with no person in the loop."""
    automatic = {"mode": "automatic", "grace": "0h"}
    return [
        Policy.model_validate(
            {
                "name": "stop-idle-gpu",
                "resource": [GPU],
                "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
                "action": "stop",
                "approval": automatic,
            }
        ),
        Policy.model_validate(
            {
                "name": "delete-idle-marketplace",
                "resource": [MARKETPLACE],
                "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
                "action": "delete",
                "approval": automatic,
            }
        ),
        Policy.model_validate(
            {
                "name": "delete-idle-collections",
                "resource": [COLLECTION],
                "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
                "action": "delete",
                "approval": automatic,
            }
        ),
        # A HyperPod cluster has no idle signal: age alone is the most a policy can ask.
        Policy.model_validate(
            {
                "name": "delete-old-hyperpod",
                "resource": [HYPERPOD],
                "conditions": {"older_than": "7d"},
                "action": "delete",
                "approval": automatic,
            }
        ),
    ]


def survivors() -> dict[str, set[str]]:
    """Names of what still runs: GPU instances by Name tag, endpoints by name."""
    ec2 = boto3.client("ec2", region_name=REGION)
    running = {
        next(t["Value"] for t in i["Tags"] if t["Key"] == "Name")
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] == "running"
    }
    sagemaker = boto3.client("sagemaker", region_name=REGION)
    endpoints = {e["EndpointName"] for e in sagemaker.list_endpoints()["Endpoints"]}
    clusters = {
        c["ClusterName"]
        for c in sagemaker.list_clusters()["ClusterSummaries"]
        if c["ClusterStatus"] != "Deleting"
    }
    aoss = boto3.client("opensearchserverless", region_name=REGION)
    collections = {
        c["name"]
        for c in aoss.list_collections()["collectionSummaries"]
        if c["status"] != "DELETING"
    }
    return {GPU: running, MARKETPLACE: endpoints, HYPERPOD: clusters, COLLECTION: collections}


def run_once(drawn: list[Drawn], cache: Path) -> dict[str, set[str]]:
    now = datetime.now(UTC)
    clients = AwsClients(boto3.Session(region_name=REGION))
    seed_region(clients, ACCOUNT, REGION, RegionPlan(kinds=tuple(d.seed for d in drawn)), now)
    store = SqliteStore(cache / "watchdog.db")
    try:
        apply(
            ScanRequest(regions=[REGION]),
            policies(),
            store,
            ExecOptions(execute=True),
            clock=FakeClock(now),
            signal_options=SignalOptions(
                lookback=timedelta(days=7), cache_dir=cache, cost_explorer=False
            ),
        )
    finally:
        store.close()
    return survivors()


def _collection(name: str, agent: str | None = None, busy: bool = False) -> Drawn:
    chain = (KnowledgeBaseSeed(f"{name}-kb", ("docs",), agent=agent),)
    seed = CollectionSeed(
        name, {"team": "genai"}, use="busy" if busy else "idle", knowledge_bases=chain
    )
    protected = busy or agent is not None
    return Drawn(seed, COLLECTION, name, protected, not protected)


def _gpu(name: str, manager: str) -> Drawn:
    seed = GpuInstance(name, tags={"team": "genai", **MANAGERS[manager]})
    return Drawn(seed, GPU, name, manager != "none", manager == "none")


# Each protection at least once, whatever the generator draws: an agent's knowledge base, a
# searched collection, an Auto Scaling group's instance, beside ones that must be acted on.
EVERY_PROTECTION = [
    _collection("agent-vectors", agent="assistant"),
    _collection("searched-vectors", busy=True),
    _collection("forgotten-vectors"),
    _gpu("asg-gpu", "asg"),
    _gpu("eks-gpu", "eks"),
    _gpu("forgotten-gpu", "none"),
]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(accounts())
@example(EVERY_PROTECTION)
def test_protected_resources_survive_and_idle_ones_are_acted_on(drawn: list[Drawn]) -> None:
    sandbox.install()
    with mock_aws(), TemporaryDirectory() as cache:
        alive = run_once(drawn, Path(cache))

    for resource in drawn:
        if resource.protected:
            assert resource.name in alive[resource.kind], f"{resource} was stopped or deleted"
        if resource.must_act:
            assert resource.name not in alive[resource.kind], f"{resource} was left running"

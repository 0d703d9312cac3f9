"""GPU instances on the in-process sandbox: the demo's four (seeded through the kind's seed hook)
are scanned, priced and planned; the idle dev box alone is stopped, then started by restore; the
busy one, the Auto Scaling group's node and the exempt box are never touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
from hypothesis import strategies as st
from watchdog_sandbox.kinds import DemoTags
from watchdog_sandbox.kinds.ec2_accelerated_instances import GpuInstance, gpu_instances
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from tests.fakes import FakeClock
from tests.functional.generated_accounts import AUTOMATIC, EXEMPTIONS, AccountPart, Drawn
from watchdog.act import ExecOptions, SessionClients, apply
from watchdog.act.restore import restore
from watchdog.inventory import ScanRequest
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
KIND = "ec2-accelerated-instance"
EXEMPT = {"watchdog:exempt": "true"}


def instances() -> dict[str, tuple[str, str]]:
    """Each seeded instance's id -> (its Name tag, its state now)."""
    answer = boto3.client("ec2", region_name=REGION).describe_instances()
    return {
        i["InstanceId"]: (
            next(t["Value"] for t in i["Tags"] if t["Key"] == "Name"),
            i["State"]["Name"],
        )
        for r in answer["Reservations"]
        for i in r["Instances"]
    }


def states() -> dict[str, str]:
    """Each seeded instance's Name tag -> its state now."""
    return dict(instances().values())


def test_only_the_idle_gpu_dev_box_is_stopped_and_restore_starts_it(
    aws: None, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    clients = AwsClients(boto3.Session(region_name=REGION))
    owners = DemoTags(genai={"team": "genai"}, nlp={}, risk={}, recsys={}, exempt=EXEMPT)
    plan = RegionPlan(kinds=gpu_instances(owners))
    seeded, _ = seed_region(clients, ACCOUNT, REGION, plan, now)
    assert sorted((r.kind, r.idle, r.exempt) for r in seeded) == sorted(
        [(KIND, True, False), (KIND, False, False), (KIND, True, False), (KIND, True, True)]
    )
    policy = Policy.model_validate(
        {
            "name": "idle-gpu",
            "resource": [KIND],
            "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
            "action": "stop",
            "approval": {"mode": "automatic", "grace": "0h"},
        }
    )
    store = SqliteStore(tmp_path / "watchdog.db")

    result = apply(
        ScanRequest(regions=[REGION]),
        [policy],
        store,
        ExecOptions(execute=True),
        clock=FakeClock(now),
        signal_options=SignalOptions(
            lookback=timedelta(days=7), cache_dir=tmp_path, cost_explorer=False
        ),
    )

    by_fate = {instances()[o.resource_name][0]: o for o in result.findings}
    # The exempt box has no finding; the busy server is active; the ASG node is refused.
    assert set(by_fate) == {"llm-finetune-devbox", "batch-inference-asg-node"}
    devbox = by_fate["llm-finetune-devbox"]
    assert devbox.fate == "done", devbox.reason
    assert [s.op for s in devbox.steps] == ["ec2:StopInstances"]
    assert by_fate["batch-inference-asg-node"].fate != "done"
    assert states() == {
        "llm-finetune-devbox": "stopped",
        "vllm-model-server": "running",
        "batch-inference-asg-node": "running",
        "research-gpu-box": "running",
    }

    [stopped] = [e for e in store.list_audit() if e.outcome == "done"]
    restored = restore(store, stopped.id, SessionClients(), now, "run-restore", execute=True)

    assert [a.op for a in restored.plan.actions] == ["ec2:StartInstances"]
    assert states()["llm-finetune-devbox"] == "running"
    store.close()


# Tags by which another service owns an instance: the kind must refuse each (watchdog/kinds/_ec2).
MANAGERS: dict[str, dict[str, str]] = {
    "none": {},
    "asg": {"aws:autoscaling:groupName": "gpu-pool"},
    "eks": {"eks:cluster-name": "ml-platform"},
}


@st.composite
def generated_instance(draw: st.DrawFn, i: int) -> Drawn:
    """An instance for the generated accounts (tests/functional/test_generated_accounts.py)."""
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
    return Drawn(seed, KIND, name, protected, must_act)


def running_instances() -> set[str]:
    """Running instances, by Name tag."""
    ec2 = boto3.client("ec2", region_name=REGION)
    return {
        next(t["Value"] for t in i["Tags"] if t["Key"] == "Name")
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] == "running"
    }


def _managed(name: str, manager: str) -> Drawn:
    seed = GpuInstance(name, tags={"team": "genai", **MANAGERS[manager]})
    return Drawn(seed, KIND, name, manager != "none", manager == "none")


GENERATED = AccountPart(
    kind=KIND,
    draw=generated_instance,
    most=4,
    policy={
        "name": "stop-idle-gpu",
        "resource": [KIND],
        "conditions": {"idle": {"window": "7d"}, "older_than": "7d"},
        "action": "stop",
        "approval": AUTOMATIC,
    },
    alive=running_instances,
    every_protection=(
        _managed("asg-gpu", "asg"),
        _managed("eks-gpu", "eks"),
        _managed("forgotten-gpu", "none"),
    ),
)

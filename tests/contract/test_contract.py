"""The product's AWS contract, held to AWS's service models instead of to moto.

One pass of what a user does on the demo organization (office hours: park notebooks and
endpoints, then resume them all; plan over both accounts and regions, exempt one finding, apply
--execute of a policy that tears every kind down, restore a deleted endpoint, clean a deleted
domain's leftovers), every AWS call captured through real boto3 clients (capture.py). Every
request must be one AWS accepts - strictly: botocore's validator plus the maximums, enums and
patterns it skips - and every field the product read from an answer must exist in that
operation's output shape (contract.py). A request member or response field renamed, mis-cased
or invented fails here, whatever moto accepts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from tests.contract.capture import Captured, capture
from tests.contract.contract import read_problems, request_problems, uncheckable_patterns
from tests.contract.iam import iam_action, never_made, undeclared
from tests.functional.conftest import organization_env
from tests.functional.demo_snapshot import seed_demo
from watchdog.cli.main import cli
from watchdog.kinds import REGISTRY
from watchdog.store.sqlite import SqliteStore

TEAR_DOWN_EVERYTHING = {
    "name": "contract-tear-down",
    "resource": [spec.kind for spec in REGISTRY if spec.teardown.delete is not None],
    "conditions": {"older_than": "1h"},
    "action": "delete",
    "approval": {"mode": "automatic", "grace": "0h"},
}


# One occurrence the whole year (since 1 January), back only when asked.
PARK_EVERYTHING = {
    "name": "contract-office-hours",
    "resource": ["sagemaker-notebook-instance", "sagemaker-endpoint"],
    "conditions": {"status": ["InService"]},
    "action": "park",
    "approval": {"mode": "automatic", "grace": "0h"},
    "park": {"at": "0 0 1 1 *", "resume": "on-demand"},
}


def invoke(tmp: Path, *args: str) -> Result:
    env = {
        **organization_env(tmp / "cache"),
        "WATCHDOG_STORE": f"sqlite:///{tmp / 'w.db'}",
        # A resumed endpoint is Creating for the sandbox's two reads: no need to wait seconds.
        "WATCHDOG_POLL_SECONDS": "0.05",
    }
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Captured]:
    import watchdog_sandbox as sandbox
    from moto import mock_aws

    tmp = tmp_path_factory.mktemp("contract")
    policy = tmp / "policy.yaml"
    policy.write_text(yaml.safe_dump({"policies": [TEAR_DOWN_EVERYTHING]}), encoding="utf-8")
    sandbox.install()
    with mock_aws(), capture() as captured:
        seed_demo()
        _walk(tmp, policy, captured)
        yield captured


def _walk(tmp: Path, policy: Path, captured: Captured) -> None:
    # Each command's calls carry its phase: tests/contract/iam.py holds them to its IAM modes.
    _park_and_resume(tmp, captured)
    captured.phase = "plan"
    planned = invoke(tmp, "plan", "--format", "json")
    assert planned.exit_code == 0, planned.output
    captured.phase = "apply"
    applied = invoke(tmp, "apply", "--policies", str(policy), "--format", "json")
    assert applied.exit_code in (0, 1, 3), applied.output
    findings = json.loads(applied.output)["findings"]
    # The same one every run (the first by name, a busy one): which provisioned throughputs
    # are then deleted - and so which calls the IAM checks see - must not vary with the order.
    throughputs = [f for f in findings if f["resource_kind"] == "bedrock-provisioned-throughput"]
    exempt = min(throughputs, key=lambda f: (f["resource_name"], f["finding_id"]))
    captured.phase = "exempt"
    exempted = invoke(tmp, "exempt", exempt["finding_id"], "--policies", str(policy))
    assert exempted.exit_code == 0, exempted.output
    captured.phase = "apply --execute"
    executed = invoke(tmp, "apply", "--execute", "--policies", str(policy), "--format", "json")
    assert executed.exit_code in (0, 1), executed.output
    store = SqliteStore(tmp / "w.db")
    try:
        audit = store.list_audit(limit=10_000)
    finally:
        store.close()
    # Endpoints that hosted inference components are not restored (it says so): the first
    # that hosted models is.
    deleted = [e for e in audit if e.op == "sagemaker:DeleteEndpoint" and e.outcome == "done"]
    captured.phase = "restore --execute"
    restored = [invoke(tmp, "restore", entry.id, "--execute") for entry in deleted]
    assert any(r.exit_code == 0 for r in restored), [r.output for r in restored]
    domain = next(e for e in audit if e.op == "sagemaker:DeleteDomain" and e.outcome == "done")
    domain_id = domain.description["describe"]["DomainId"]
    captured.phase = "leftovers --execute"
    left = invoke(
        tmp, "leftovers", "--domain-id", domain_id, "--region", domain.region, "--execute"
    )
    assert left.exit_code == 0, left.output


def _park_and_resume(tmp: Path, captured: Captured) -> None:
    """Office hours first: what they park comes back as it was (a resumed endpoint is younger
    than the teardown's hour, so the teardown below leaves it: parking deleted it already)."""
    park = tmp / "park.yaml"
    park.write_text(yaml.safe_dump({"policies": [PARK_EVERYTHING]}), encoding="utf-8")
    captured.phase = "park --execute"
    parked = invoke(tmp, "apply", "--execute", "--policies", str(park), "--format", "json")
    assert parked.exit_code in (0, 1), parked.output
    done = [f for f in json.loads(parked.output)["findings"] if f["fate"] == "done"]
    assert {f["resource_kind"] for f in done} == set(PARK_EVERYTHING["resource"])  # type: ignore[arg-type]
    captured.phase = "resume --execute"
    resumed = invoke(tmp, "resume", "--all", "--execute")
    assert resumed.exit_code == 0, resumed.output


def test_every_request_is_one_aws_accepts(journey: Captured) -> None:
    problems = sorted({p for call in journey.calls for p in request_problems(call)})
    assert problems == [], "\n".join(problems)


def test_every_field_read_from_an_answer_exists_in_aws_answer(journey: Captured) -> None:
    problems = [
        p
        for (service, operation), paths in sorted(journey.reads.items())
        for p in read_problems(service, operation, paths)
    ]
    assert problems == [], "\n".join(problems)


def test_every_call_is_declared_for_the_mode_that_makes_it(journey: Captured) -> None:
    """Its IAM action is in watchdog/permissions.py's lists for that command's modes,
    which README.md and both templates are held to (tests/unit/test_iam_lists.py)."""
    problems = undeclared(journey.calls)
    assert problems == [], "\n".join(problems)


def test_every_declared_action_is_made_or_says_why_not(journey: Captured) -> None:
    problems = never_made(journey.calls)
    assert problems == [], "\n".join(problems)


def test_the_journey_covers_every_kind_and_stage(journey: Captured) -> None:
    operations = {f"{s}:{o}" for s, o in journey.operations()}
    # A step's op is its IAM action ("aoss:DeleteCollection"), the call's service may be named
    # otherwise ("opensearchserverless").
    actions = {iam_action(s, o) for s, o in journey.operations()}
    exempted = {"bedrock-provisioned-throughput"}  # its finding was exempted on the way
    for spec in REGISTRY:
        teardown = spec.teardown
        steps = [teardown.delete, teardown.stop if teardown.stop_before_delete else None]
        for step in steps:
            if step is not None and spec.kind not in exempted:
                assert step.op in actions, f"{spec.kind}: {step.op} never called"
    stages = {
        "sts:AssumeRole",
        "organizations:ListAccounts",
        "resourcegroupstaggingapi:GetResources",
        "cloudwatch:GetMetricData",
        "pricing:GetProducts",
        "ce:GetCostAndUsage",
        "bedrock:TagResource",
        "sagemaker:CreateEndpoint",
        "efs:DeleteFileSystem",
    }
    assert stages <= operations, sorted(stages - operations)
    assert uncheckable_patterns(journey.calls) == set()

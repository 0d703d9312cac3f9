"""Reproductions: a teardown resumed after a crash, run in-process on the seeded sandbox.

Copy into tests/functional/act/ and run with pytest -s. Each test "crashes" apply (an uncaught
BaseException) right after AWS accepted one call, advances the clock past the step lease, and
runs apply again, as a SIGKILLed process followed by a new run would.
"""
from typing import Any

import pytest

from tests.functional.act.conftest import Applier, sagemaker
from watchdog.act.steps import StepRunner
from watchdog.policies.schema import Policy


class Crash(BaseException):
    pass


def crash_after(monkeypatch: pytest.MonkeyPatch, op: str, name: str | None = None) -> None:
    original = StepRunner._invoke

    def invoke_then_die(self: StepRunner, job: Any) -> None:
        original(self, job)
        if job.step.op == op and name in (None, job.step.target_name):
            monkeypatch.setattr(StepRunner, "_invoke", original)
            raise Crash

    monkeypatch.setattr(StepRunner, "_invoke", invoke_then_die)


def automatic(kinds: list[str], conditions: dict[str, Any], action: str = "delete") -> Policy:
    return Policy.model_validate(
        {"name": "p", "resource": kinds, "conditions": conditions, "action": action,
         "approval": {"mode": "automatic", "grace": "0h"}}
    )


def resume(applier: Applier, policy: Policy) -> Any:
    applier.clock.sleep(46 * 60)  # past the crashed run's 45-minute lease
    return applier(policy)


import watchdog.act.admit as _admit


def show(result: Any) -> None:
    for f in result.findings:
        print(f.resource_name, f.fate, f.reason[:160], [(s.op, s.fate) for s in f.steps])


# Bug 1 (fixed in admit.py/identity.py): killed after StopNotebookInstance of a stop-then-delete
# teardown; the resumed run cancelled it as "changed since it was approved: instance_count was
# 1, now 0; billing ... storage", the stop never got its "done" entry.
def test_stop_then_delete_resumes_after_the_stop(applier: Applier, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = automatic(["sagemaker-notebook-instance"], {"older_than": "1h"})
    crash_after(monkeypatch, "sagemaker:StopNotebookInstance")
    with pytest.raises(Crash):
        applier(policy)
    second = resume(applier, policy)
    show(second)
    assert all(f.fate == "done" for f in second.findings)


# Bug 2 (fixed in admit.py): an endpoint with inference components whose models other teardowns
# of the same run freed; resumed, it was cancelled as "new resources inside since it was
# approved: model/mistral-7b-instruct", its component deletes never got their "done" entries.
def test_endpoint_resumes_when_a_shared_model_became_unused(applier: Applier, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = automatic(["sagemaker-endpoint"], {"older_than": "1h"})
    crash_after(monkeypatch, "sagemaker:DeleteModel", "fraud-scorer-xgb")
    with pytest.raises(Crash):
        applier(policy)
    second = resume(applier, policy)
    show(second)
    assert all(f.fate == "done" for f in second.findings)


# Not fixed (reported): a stop-only teardown (the shipped notebooks-running-long shape) killed
# after StopNotebookInstance: the notebook no longer matches `status: [InService]`, so the
# resumed run cancels it ("its policy no longer asks to stop it") and the stop gets no "done".
def test_stop_only_resumes_after_the_stop(applier: Applier, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = automatic(
        ["sagemaker-notebook-instance"],
        {"status": ["InService"], "running_longer_than": "12h"},
        action="stop",
    )
    crash_after(monkeypatch, "sagemaker:StopNotebookInstance")
    with pytest.raises(Crash):
        applier(policy)
    second = resume(applier, policy)
    show(second)
    assert all(f.fate == "done" for f in second.findings)


@pytest.fixture(autouse=True)
def _without_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_admit, "_not_freed", lambda fresh: [s.target_arn for s in fresh.steps])

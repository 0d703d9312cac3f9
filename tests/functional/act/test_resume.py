"""A teardown resumed after its run died right after AWS accepted a call, as a SIGKILLed
`apply --execute` followed by a new run (the e2e fault-injection test does it with real kills).

Each case is a shape the fault-injection trials caught: the resumed run must finish the
teardown, not mistake its own earlier call for someone else's change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.functional.act.conftest import Applier, teardown_policy
from watchdog.act import ApplyResult, ScopeClients
from watchdog.aws.scope import Scope
from watchdog.policies.schema import Policy


class Died(BaseException):
    """The process ending mid-run: nothing after it runs, no handler catches it."""


class DieAfter:
    """Clients whose process dies right after AWS accepts the call `method` (once)."""

    fired = False

    def __init__(self, scope: Scope, method: str, name: str | None = None) -> None:
        self.inner, self.method, self.name = ScopeClients(scope), method, name

    def client(self, service: str, account: str, region: str) -> Any:
        real, outer = self.inner.client(service, account, region), self

        class Dying:
            def __getattr__(self, attr: str) -> Any:
                call = getattr(real, attr)
                if attr != outer.method or DieAfter.fired:
                    return call

                def then_die(**params: Any) -> Any:
                    answer = call(**params)
                    if outer.name is None or outer.name in params.values():
                        DieAfter.fired = True
                        raise Died
                    return answer

                return then_die

        return Dying()


def die_then_resume(
    applier: Applier, policy: Policy, method: str, name: str | None = None
) -> ApplyResult:
    DieAfter.fired = False
    with pytest.raises(Died):
        applier(policy, clients=lambda scope: DieAfter(scope, method, name))
    applier.clock.sleep(timedelta(minutes=6).total_seconds())  # past the dead run's lease
    return applier(policy)


def assert_finished(result: ApplyResult) -> None:
    assert result.findings
    for finding in result.findings:
        assert finding.fate == "done", (finding.resource_name, finding.reason)


def test_a_stop_then_delete_resumes_after_the_stop(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-notebook-instance"])

    result = die_then_resume(applier, policy, "stop_notebook_instance")

    assert_finished(result)
    done = [e for e in applier.store.list_audit(limit=1000) if e.outcome == "done"]
    assert sum(e.op == "sagemaker:StopNotebookInstance" for e in done) == 2


def test_an_endpoint_resumes_when_a_shared_model_became_unused(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-endpoint"])

    result = die_then_resume(applier, policy, "delete_model", "fraud-scorer-xgb")

    assert_finished(result)


def test_a_stop_only_teardown_resumes_although_the_policy_no_longer_matches(
    applier: Applier,
) -> None:
    policy = teardown_policy(
        ["sagemaker-notebook-instance"],
        action="stop",
        conditions={"status": ["InService"], "running_longer_than": "12h"},
    )

    result = die_then_resume(applier, policy, "stop_notebook_instance")

    stopped = [f for f in result.findings if f.resumed]
    assert stopped and all(f.fate == "done" for f in stopped)


class TakenOver:
    """Clients through which, while the first run waits on a stop, its claim runs out and a
    second run takes the step over (as a run started by the scheduler would)."""

    def __init__(self, scope: Scope, applier: Applier) -> None:
        self.inner, self.applier, self.done = ScopeClients(scope), applier, False

    def client(self, service: str, account: str, region: str) -> Any:
        real, outer = self.inner.client(service, account, region), self

        class Racing:
            def __getattr__(self, attr: str) -> Any:
                call = getattr(real, attr)
                if attr != "stop_notebook_instance" or outer.done:
                    return call

                def stop_then_lose_the_claim(**params: Any) -> Any:
                    answer = call(**params)
                    outer.done = True
                    outer.applier.clock.sleep(timedelta(minutes=6).total_seconds())
                    for record in outer.applier.store.list_findings({"executing"}):
                        for step in record.finding.steps:
                            outer.applier.store.claim_step(
                                step.id,
                                record.finding.id,
                                "other-run",
                                outer.applier.clock.now(),
                                timedelta(minutes=5),
                            )
                    return answer

                return stop_then_lose_the_claim

        return Racing()


def test_a_step_taken_over_by_another_run_is_not_called_twice(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-notebook-instance"], action="stop")

    result = applier(policy, clients=lambda scope: TakenOver(scope, applier))

    calls = [e for e in applier.store.list_audit(limit=100) if e.outcome == "started"]
    assert len({e.step_id for e in calls}) == len(calls), "a step was called twice"
    fates = {s.fate for f in result.findings for s in f.steps}
    assert "busy" in fates  # the other notebook's stop is left to the run holding it

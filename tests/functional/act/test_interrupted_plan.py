"""SIGTERM while a run is still reading AWS: it stops calling AWS at once, saves nothing and
changes nothing, so the findings a half-read inventory did not reach are not resolved."""

from __future__ import annotations

from tests.functional.act.conftest import Applier, teardown_policy


class StopAfter:
    """An `interrupted` that turns true once it has been asked `calls` times (one question
    per AWS call while planning)."""

    def __init__(self, calls: int) -> None:
        self.left = calls

    def __call__(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_a_stop_while_reading_aws_saves_nothing_and_resolves_nothing(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-endpoint"], approval="required")
    first = applier(policy)
    before = {s.finding.id: s.state for s in applier.store.list_findings()}
    assert before and set(before.values()) == {"open"}

    stopped = applier(policy, interrupted=StopAfter(calls=3))

    assert stopped.stopped == "interrupted"
    assert "stopped while reading AWS" in stopped.stopped_detail
    assert stopped.findings == []
    assert stopped.verdict() == "partial"
    assert stopped.api_calls < first.api_calls  # it stopped calling, it did not finish the scan
    after = {s.finding.id: s.state for s in applier.store.list_findings()}
    assert after == before
    assert applier.store.list_audit() == []


def test_a_run_that_is_not_stopped_calls_aws_as_before(applier: Applier) -> None:
    policy = teardown_policy(["sagemaker-endpoint"], approval="required")
    applier(policy)  # the first run fills the price cache the next ones read
    plain = applier(policy)

    never = applier(policy, interrupted=lambda: False)

    assert never.stopped is None
    assert never.api_calls == plain.api_calls
    assert [f.finding_id for f in never.findings] == [f.finding_id for f in plain.findings]

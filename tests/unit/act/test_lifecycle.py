"""Finding states that follow from a run's plan alone: a finding the run no longer makes is
resolved where the scan could have seen it, one made again after it ended is reopened, and a
snooze whose time is up ends."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import ACCOUNT, NOW, REGION, endpoint
from watchdog.act.admission import Transition, transitions
from watchdog.records import ScanError
from watchdog.store.base import FindingState, StoredFinding

SCANNED = {(ACCOUNT, REGION)}
ID = "f-1"


def stored(state: FindingState = "open", until: datetime | None = None) -> StoredFinding:
    """A finding on endpoint `llm` (kind sagemaker-endpoint) in ACCOUNT/REGION, by policy idle."""
    return StoredFinding(
        finding=finding(id=ID, resource=endpoint("llm"), policy="idle"),
        first_seen=NOW - timedelta(days=3),
        last_seen=NOW - timedelta(days=1),
        last_run_id="run-1",
        state=state,
        state_changed_at=NOW - timedelta(days=2),
        state_until=until,
    )


def error(
    account: str = ACCOUNT, region: str = REGION, kind: str = "sagemaker-endpoint"
) -> ScanError:
    return ScanError.model_validate(
        {"account": account, "region": region, "kind": kind, "error": "AccessDenied"}
    )


def gone(
    *findings: StoredFinding,
    scanned: set[tuple[str, str]] = SCANNED,
    errors: tuple[ScanError, ...] = (),
) -> list[Transition]:
    """This run made none of them."""
    return transitions(findings, set(), scanned, errors, NOW)


def made(*findings: StoredFinding, now: datetime = NOW) -> list[Transition]:
    """This run made all of them again."""
    return transitions(findings, {s.finding.id for s in findings}, SCANNED, (), now)


# Resolving: the scan looked and the finding is not there.


@pytest.mark.parametrize("state", ["open", "approved", "snoozed"])
def test_a_finding_the_run_no_longer_makes_where_it_scanned_is_resolved(
    state: FindingState,
) -> None:
    [change] = gone(stored(state, until=NOW + timedelta(days=5)))

    assert (change.finding_id, change.state) == (ID, "resolved")
    assert "llm" in change.detail and "policy idle" in change.detail


def test_a_finding_outside_the_scanned_accounts_and_regions_is_left_alone() -> None:
    other_region = {(ACCOUNT, "eu-west-1")}
    other_account = {("999988887777", REGION)}

    assert gone(stored(), scanned=other_region) == []
    assert gone(stored(), scanned=other_account) == []
    assert gone(stored(), scanned=set()) == []


@pytest.mark.parametrize(
    "failed",
    [
        error(),
        error(kind="*"),
        error(region="*"),
        error(region="*", kind="*"),  # the whole account could not be entered
    ],
    ids=["its-kind", "every-kind", "every-region", "the-account"],
)
def test_a_finding_whose_scan_failed_there_is_left_alone(failed: ScanError) -> None:
    assert gone(stored(), errors=(failed,)) == []


@pytest.mark.parametrize(
    "elsewhere",
    [
        error(kind="sagemaker-notebook-instance"),
        error(region="eu-west-1"),
        error(account="999988887777"),
        error(account="999988887777", region="*", kind="*"),
    ],
    ids=["another-kind", "another-region", "another-account", "another-account-wholly"],
)
def test_a_scan_failure_elsewhere_does_not_stop_the_resolution(elsewhere: ScanError) -> None:
    [change] = gone(stored(), errors=(elsewhere,))

    assert change.state == "resolved"


@pytest.mark.parametrize("state", ["executing", "done", "cancelled", "resolved"])
def test_findings_that_have_their_own_ending_are_not_resolved(state: FindingState) -> None:
    assert gone(stored(state)) == []


# Reopening: made again after it ended.


@pytest.mark.parametrize("state", ["resolved", "cancelled"])
def test_a_resolved_or_cancelled_finding_made_again_is_reopened(state: FindingState) -> None:
    assert made(stored(state)) == [Transition(ID, "open", f"found again after {state}")]


@pytest.mark.parametrize("state", ["open", "approved", "executing"])
def test_a_live_finding_made_again_is_unchanged(state: FindingState) -> None:
    assert made(stored(state)) == []


# Snoozes.


def test_a_snooze_whose_time_is_up_ends() -> None:
    lapsed = stored("snoozed", until=NOW - timedelta(minutes=1))

    assert made(lapsed) == [Transition(ID, "open", "snooze ended")]
    # Exactly at its end, too.
    assert made(stored("snoozed", until=NOW)) == [Transition(ID, "open", "snooze ended")]


def test_a_snooze_still_running_or_without_an_end_stays() -> None:
    assert made(stored("snoozed", until=NOW + timedelta(minutes=1))) == []
    assert made(stored("snoozed", until=None)) == []


def test_each_finding_gets_its_own_change() -> None:
    kept = stored("open")
    lost = stored("approved").model_copy(
        update={"finding": finding(id="f-2", resource=endpoint("old"), policy="idle")}
    )

    changes = transitions([kept, lost], {ID}, SCANNED, (), NOW)

    assert [(c.finding_id, c.state) for c in changes] == [("f-2", "resolved")]
    assert "old" in changes[0].detail

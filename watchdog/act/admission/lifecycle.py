"""Finding states that follow from a run's plan alone, whether or not it executes anything:
a snooze whose time is up is open again, and a finding this run no longer makes (the resource
is gone, back in use, re-tagged, or its policy changed) is resolved. Pure: the run's facts are
passed in. Its Slack message is then updated to say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from watchdog.records import ScanError
from watchdog.store.base import FindingState, StoredFinding

# States a finding leaves when the run no longer makes it. Executing, done and cancelled
# findings keep their own ending; a teardown in flight is finished from its stored plan.
RESOLVABLE: frozenset[str] = frozenset({"open", "approved", "snoozed"})
# States a finding leaves when the run makes it again: it needs a new look (and approval).
REOPENABLE: frozenset[str] = frozenset({"resolved", "cancelled"})


@dataclass(frozen=True)
class Transition:
    finding_id: str
    state: FindingState
    detail: str


def transitions(
    stored: Iterable[StoredFinding],
    current: set[str],
    scanned: set[tuple[str, str]],
    errors: Iterable[ScanError],
    now: datetime,
) -> list[Transition]:
    """What changes for the stored findings, given the ids this run made (`current`) and the
    (account, region) shards it scanned. A finding outside the scanned shards, or of a kind
    whose scan failed there, is left alone: not seeing it proves nothing."""
    failed: set[tuple[str, str, str]] = {(e.account, e.region, e.kind) for e in errors}
    changes = []
    for finding in stored:
        made = finding.finding.id in current
        if made and finding.state in REOPENABLE:
            changes.append(
                Transition(finding.finding.id, "open", f"found again after {finding.state}")
            )
        elif made and finding.state == "snoozed" and _expired(finding, now):
            changes.append(Transition(finding.finding.id, "open", "snooze ended"))
        elif not made and finding.state in RESOLVABLE and _seen_by_scan(finding, scanned, failed):
            changes.append(_resolved(finding))
    return changes


def _expired(finding: StoredFinding, now: datetime) -> bool:
    return finding.state_until is not None and finding.state_until <= now


def _seen_by_scan(
    finding: StoredFinding, scanned: set[tuple[str, str]], failed: set[tuple[str, str, str]]
) -> bool:
    resource = finding.finding.resource
    if (resource.account, resource.region) not in scanned:
        return False
    return not any(
        (resource.account, region, kind) in failed
        for region in (resource.region, "*")
        for kind in (resource.kind, "*")
    )


def _resolved(finding: StoredFinding) -> Transition:
    name = finding.finding.resource.name
    return Transition(
        finding.finding.id,
        "resolved",
        f"{name} no longer matches policy {finding.finding.policy} (gone, in use, or exempt)",
    )

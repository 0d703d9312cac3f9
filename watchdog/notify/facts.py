"""What every channel says of a finding in the same words (Slack, Teams, email), apart from
how each escapes text: no channel library here, so a channel loads only its own."""

from __future__ import annotations

from collections.abc import Callable

from watchdog.findings import Finding
from watchdog.words import plural

# A finding's state as a word (Slack adds its emoji: deliver._ICONS).
STATE_WORDS = {
    "approved": "Approved",
    "executing": "Running",
    "done": "Done",
    "cancelled": "Cancelled",
    "snoozed": "Snoozed",
    "parked": "Parked",
    "resolved": "Resolved",
}


def evidence_parts(finding: Finding, escape: Callable[[str], str]) -> list[str]:
    """Why, how measured, what the teardown does and cannot undo, and the finding's id; text
    from AWS or a policy goes through the channel's `escape`."""
    parts = [escape(finding.reason)]
    evidence = finding.evidence
    if evidence.window_hours is not None and evidence.invocations is not None:
        parts.append(f"{evidence.invocations:g} invocations in {evidence.window_hours:g} h")
    if finding.steps:
        parts.append(f"teardown: {plural(len(finding.steps), 'step')}")
    if finding.irreversible:
        # Said before anyone approves; the review page lists each with its reason.
        final = ", ".join(escape(i.what) for i in finding.irreversible)
        parts.append(f"cannot be undone by restore: {final}")
    parts.append(f"finding {finding.id}")
    return parts

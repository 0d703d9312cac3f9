"""Exempting a finding's resource for good: the tag `watchdog:exempt=true` on the resource
itself (so every run, every policy and every deployment sees it), then the finding resolved
with who did it. One code path for Slack's Exempt button and `ai-watchdog exempt`.

Tagging only ever prevents changes, so it is done in dry-run mode too.
"""

from __future__ import annotations

from datetime import datetime

from watchdog.act.clients import Clients
from watchdog.act.tags import add_tag
from watchdog.store.base import Store, StoredFinding

EXEMPT_KEY, EXEMPT_VALUE = "watchdog:exempt", "true"


def exempt_finding(
    store: Store, clients: Clients, stored: StoredFinding, who: str, now: datetime
) -> None:
    """Tag the resource exempt and resolve the finding. AWS errors (ClientError,
    BotoCoreError, PermissionError for an unreachable account) are the caller's to report;
    the finding is resolved only once the tag is on."""
    add_tag(clients, stored.finding.resource, EXEMPT_KEY, EXEMPT_VALUE)
    store.set_finding_state(
        stored.finding.id,
        "resolved",
        f"exempted by {who} (tagged {EXEMPT_KEY}={EXEMPT_VALUE})",
        now,
    )

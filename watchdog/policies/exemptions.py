"""Exemption tags, decided the same way for dry runs and real runs."""

from __future__ import annotations

from datetime import date, datetime

from watchdog.policies.schema import Exemptions
from watchdog.records import ResourceRecord


def exempt_because(record: ResourceRecord, rules: Exemptions, now: datetime) -> str | None:
    """Why the resource is exempt, or None. An unreadable expiry date counts as exempt: a
    typo in a tag must never be what lets a resource be deleted."""
    tags = {k.lower(): v for k, v in record.tags.items()}
    if tags.get(rules.tag.lower(), "").strip().lower() == rules.value.lower():
        return f"tagged {rules.tag}={rules.value}"
    raw = tags.get(rules.expires_tag.lower())
    if raw is None:
        return None
    try:
        until = date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return f"{rules.expires_tag}={raw!r} is not an ISO date; treated as exempt"
    if until >= now.date():
        return f"exempt until {until.isoformat()} ({rules.expires_tag})"
    return None

"""Reading and writing a resource's tags, in its kind's dialect (`KindSpec.tagging()`). The
executor reads them fresh before every step; the Exempt button writes one.
"""

from __future__ import annotations

from typing import Any

from watchdog.act.clients import Clients
from watchdog.kinds import BY_KIND
from watchdog.kinds._tags import TagDialect
from watchdog.records import ResourceRecord


def current_tags(clients: Clients, record: ResourceRecord) -> dict[str, str]:
    """The resource's tags read now, one call (a page) per resource."""
    dialect, client = _tag_calls(clients, record)
    return dialect.read(client, record.arn)


def add_tag(clients: Clients, record: ResourceRecord, key: str, value: str) -> None:
    """Set one tag (replacing its value if the key is there)."""
    dialect, client = _tag_calls(clients, record)
    dialect.write(client, record.arn, key, value)


def _tag_calls(clients: Clients, record: ResourceRecord) -> tuple[TagDialect, Any]:
    """Its kind's tag dialect, and a client of the service those calls go to (the dialect's,
    else the kind's own)."""
    spec = BY_KIND[record.kind]
    dialect = spec.tagging()
    service = dialect.service or spec.service
    return dialect, clients.client(service, record.account, record.region)

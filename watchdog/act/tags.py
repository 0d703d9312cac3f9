"""Reading and writing a resource's tags, in its kind's dialect (`KindSpec.tagging()`). The
executor reads them fresh before every step; the Exempt button writes one.
"""

from __future__ import annotations

from watchdog.act.clients import Clients
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord


def current_tags(clients: Clients, record: ResourceRecord) -> dict[str, str]:
    """The resource's tags read now, one call (a page) per resource."""
    spec = BY_KIND[record.kind]
    client = clients.client(spec.service, record.account, record.region)
    return spec.tagging().read(client, record.arn)


def add_tag(clients: Clients, record: ResourceRecord, key: str, value: str) -> None:
    """Set one tag (replacing its value if the key is there)."""
    spec = BY_KIND[record.kind]
    client = clients.client(spec.service, record.account, record.region)
    spec.tagging().write(client, record.arn, key, value)

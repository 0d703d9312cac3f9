"""Reading and writing a resource's tags, in its kind's dialect (`KindSpec.tagging()`). The
executor reads them fresh before every step; the Exempt button writes one.
"""

from __future__ import annotations

from watchdog.act.clients import Clients
from watchdog.kinds import BY_KIND
from watchdog.records import ResourceRecord


def current_tags(clients: Clients, record: ResourceRecord) -> dict[str, str]:
    """The resource's tags read now, one call (a page) per resource."""
    dialect = BY_KIND[record.kind].tagging()
    client = clients.client(_service(record), record.account, record.region)
    return dialect.read(client, record.arn)


def add_tag(clients: Clients, record: ResourceRecord, key: str, value: str) -> None:
    """Set one tag (replacing its value if the key is there)."""
    dialect = BY_KIND[record.kind].tagging()
    client = clients.client(_service(record), record.account, record.region)
    dialect.write(client, record.arn, key, value)


def _service(record: ResourceRecord) -> str:
    """Whose client its tag calls take: its dialect's service, else its kind's."""
    spec = BY_KIND[record.kind]
    return spec.tagging().service or spec.service

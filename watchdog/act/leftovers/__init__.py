"""Studio domain leftovers: what deleting a SageMaker domain leaves behind (the EFS home
volume, its mount targets, the NFS security groups), found, reported and - on request - deleted.

`domain.py` finds and deletes them; `audit.py` records the deletions and reads a domain's history.
"""

from __future__ import annotations

from watchdog.act.leftovers.audit import domain_history, record_deletions
from watchdog.act.leftovers.domain import (
    Deletion,
    DomainLeftovers,
    LeftoversFailed,
    LeftoversRefused,
    delete_domain_leftovers,
    domain_arn,
    find_domain_leftovers,
)

__all__ = [
    "Deletion",
    "DomainLeftovers",
    "LeftoversFailed",
    "LeftoversRefused",
    "delete_domain_leftovers",
    "domain_arn",
    "domain_history",
    "find_domain_leftovers",
    "record_deletions",
]

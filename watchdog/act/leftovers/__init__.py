"""Studio domain leftovers: what deleting a SageMaker domain leaves behind (the EFS home
volume, its mount targets, the NFS security groups), deleted on request by `ai-watchdog
leftovers --execute`.

Finding them is the domain kind's (watchdog.kinds._domain_leftovers, which apply reports from
after each domain it deletes); `domain.py` deletes them; `audit.py` records the deletions and
reads a domain's history.
"""

from __future__ import annotations

from watchdog.act.leftovers.audit import domain_history, record_deletions
from watchdog.act.leftovers.domain import (
    Deletion,
    LeftoversFailed,
    LeftoversRefused,
    delete_domain_leftovers,
    domain_arn,
)
from watchdog.kinds._domain_leftovers import DomainLeftovers, find_domain_leftovers

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

"""The link pass: fill each record's children and users from the others' parents and uses.

Each kind states only what it points at (its parents, what it uses); the reverse links are
derived here once, over the whole scan. Pure. ARNs compare case-insensitively because SageMaker
lower-cases names in the ARNs it returns, while the watchdog builds some ARNs from names.
"""

from __future__ import annotations

from collections import defaultdict

from watchdog.records import ResourceRecord


def link(records: list[ResourceRecord]) -> list[ResourceRecord]:
    children: defaultdict[str, set[str]] = defaultdict(set)
    users: defaultdict[str, set[str]] = defaultdict(set)
    for record in records:
        for parent in record.parent_arns:
            children[parent.lower()].add(record.arn)
        for used in record.uses_arns:
            users[used.lower()].add(record.arn)
    return [
        record.model_copy(
            update={
                "child_arns": tuple(sorted(children[record.arn.lower()])),
                "used_by_arns": tuple(sorted(users[record.arn.lower()])),
            }
        )
        for record in records
    ]

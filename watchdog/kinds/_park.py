"""How a kind is parked and brought back (`KindSpec.park`): office hours for AI resources.

Parking stops what bills by the hour and keeps everything needed to come back (a notebook's
volume, an instance's disks); resuming makes the call that brings it back. Both are steps like a
teardown's, run by the same executor: claimed, recorded, re-verified, resumable after a crash.
A kind AWS offers no way to park declares why (`NotParkable`), which the policy validator says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchdog.kinds.base import AccountClients, Operation
    from watchdog.records import ResourceRecord


def parks_any(record: ResourceRecord) -> str | None:
    return None


def applies_to_any(record: ResourceRecord) -> bool:
    return True


@dataclass(frozen=True)
class Park:
    """Park with `park`, bring back with `resume` (from the states `park` settles in)."""

    park: Operation
    resume: Operation
    keeps: str  # what parking keeps, and what that still costs while parked
    resume_takes: str  # how long coming back takes, said before anything is parked
    # Why this resource cannot be parked, read off its record (the plan blocks its steps).
    refuses: Callable[[ResourceRecord], str | None] = parks_any
    # Why it cannot be parked now, read from AWS right before the park call (None: it may).
    refuses_now: Callable[[AccountClients, ResourceRecord], str | None] | None = None
    # IAM actions the resume needs beyond its call (tags sent with a create), and the reads of
    # `refuses_now` (made in dry runs too).
    iam: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    # Other ways to park some of the kind's resources, each for the records it `applies` to
    # (an asynchronous endpoint scales to zero instead of being deleted); this way for the rest.
    instead: tuple[Park, ...] = ()
    applies: Callable[[ResourceRecord], bool] = applies_to_any


@dataclass(frozen=True)
class NotParkable:
    """Why the kind cannot be parked, for the policy validator and the plan."""

    why: str


NOT_BUILT = NotParkable("this version does not park it yet; stop or delete it instead")


def way_for(parking: Park | NotParkable, record: ResourceRecord) -> Park | None:
    """How this resource is parked: the first other way that applies to it, else the kind's
    own; None for a kind that cannot be parked."""
    if not isinstance(parking, Park):
        return None
    return next((way for way in parking.instead if way.applies(record)), parking)


def all_ways(parking: Park | NotParkable) -> tuple[Park, ...]:
    """Every way the kind parks (for its IAM actions and to name a step's operation)."""
    return (parking, *parking.instead) if isinstance(parking, Park) else ()

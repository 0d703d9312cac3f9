"""How a kind is parked and brought back (`KindSpec.park`): office hours for AI resources.

Parking stops what bills by the hour and keeps everything needed to come back (a notebook's
volume, an instance's disks); resuming makes the call that brings it back. Both are steps like a
teardown's, run by the same executor: claimed, recorded, re-verified, resumable after a crash.
A kind AWS offers no way to park declares why (`NotParkable`), which the policy validator says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from watchdog.kinds._operation import Operation

if TYPE_CHECKING:
    from watchdog.kinds.base import AccountClients
    from watchdog.records import ResourceRecord


def parks_any(record: ResourceRecord) -> str | None:
    return None


def serves_others(record: ResourceRecord) -> str | None:
    """Why a resource something else uses is not parked, whatever its kind: a Bedrock
    Marketplace endpoint is its SageMaker endpoint under Bedrock's name, and parking that from
    under it would break the registration, not park it."""
    if record.used_by_arns:
        return f"it serves {', '.join(record.used_by_arns)}, which parking it would break"
    return None


def in_place(
    op: str,
    *,
    running: str,
    parked: str,
    changed: tuple[str, str],
    why: tuple[str, str],
    park: Callable[[Any, ResourceRecord, dict[str, Any]], None],
    put_back: Callable[[Any, ResourceRecord, dict[str, Any]], None],
    reads: Callable[[AccountClients, ResourceRecord], dict[str, Any] | None],
    status_of: Callable[[dict[str, Any] | None], str | None],
    service: str,
    underway: frozenset[str] = frozenset(),
) -> tuple[Operation, Operation]:
    """A park that changes a setting in place (a scaling minimum, a copy count) and its resume,
    which puts back what the park recorded: one call both ways, read through `reads` (the state
    it changes is not the resource's status), the resume under its own step name. `running` and
    `parked` name the two states, `changed` the setting and its parked value, `why` why each is
    refused in other states."""
    setting, value = changed
    parks = Operation(
        op,
        frozenset({running}),
        why[0],
        acts_on=park,
        settled=frozenset({parked}),
        underway=underway,
        params=((setting, value),),
        service=service,
        reads=reads,
        status_of=status_of,
    )
    resumes = replace(
        parks,
        allowed_states=frozenset({parked}),
        refused_because=why[1],
        acts_on=put_back,
        puts_back=True,
        settled=frozenset({running}),
        params=((setting, "as recorded by the park"),),
        name=f"{op}:resume",
    )
    return parks, resumes


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

"""How a kind is parked and brought back (`KindSpec.park`): office hours for AI resources.

Parking stops what bills by the hour and keeps everything needed to come back (a notebook's
volume, an instance's disks); resuming makes the call that brings it back. Both are steps like a
teardown's, run by the same executor: claimed, recorded, re-verified, resumable after a crash.
A kind AWS offers no way to park declares why (`NotParkable`), which the policy validator says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from watchdog.kinds.base import Operation


@dataclass(frozen=True)
class Park:
    """Park with `park`, bring back with `resume` (from the states `park` settles in)."""

    park: Operation
    resume: Operation
    keeps: str  # what parking keeps, and what that still costs while parked
    resume_takes: str  # how long coming back takes, said before anything is parked


@dataclass(frozen=True)
class NotParkable:
    """Why the kind cannot be parked, for the policy validator and the plan."""

    why: str


NOT_BUILT = NotParkable("this version does not park it yet; stop or delete it instead")

"""act: turn approved findings into AWS changes, safely and resumably, and record each one.

`flow.py` is an apply from end to end: plan, admit (`admission/`), last look and execute
(`executor/`), conclude. Everything the executor does is claimed, recorded and audited in the
store (`audit.py`), so a run killed at any instant resumes where it stopped. `restore/` and the
Studio domain `leftovers/` act on what the executor recorded. Shared by all of them: the results
(`models.py`), the AWS clients per account and region (`clients.py`), the clock, the tags.

Outsiders import from this face and from the subpackages' faces, never from inner modules.
"""

from __future__ import annotations

from watchdog.act.clients import Clients, ScopeClients, SessionClients
from watchdog.act.clock import Clock, SystemClock
from watchdog.act.flow import ApplyRefused, apply
from watchdog.act.models import (
    ApplyResult,
    ApplySummary,
    ExecOptions,
    FindingFate,
    FindingOutcome,
    StepFate,
    StepOutcome,
)

__all__ = [
    "ApplyRefused",
    "ApplyResult",
    "ApplySummary",
    "Clients",
    "Clock",
    "ExecOptions",
    "FindingFate",
    "FindingOutcome",
    "ScopeClients",
    "SessionClients",
    "StepFate",
    "StepOutcome",
    "SystemClock",
    "apply",
]

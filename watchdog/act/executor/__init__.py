"""The step executor: every admitted plan's steps in dependency order, resumably.

`execute.py` runs the plans (several steps at once where AWS works asynchronously, until done,
the deadline nears or the circuit `breaker.py` opens); `steps.py` runs one step: claim it in the
store (`claims.py`), read AWS, re-verify (`verify.py`), record, call, wait. `last_look.py` is the
metric check right before acting (still idle?); `left_alone.py` records a resume given up
because someone else changed the resource while it was parked.
"""

from __future__ import annotations

from watchdog.act.executor.breaker import Breaker
from watchdog.act.executor.execute import CLEARED, Execution, execute
from watchdog.act.executor.jobs import Job
from watchdog.act.executor.last_look import LOOK, last_look, look_window
from watchdog.act.executor.left_alone import LEFT_ALONE, NOTICE
from watchdog.act.executor.steps import StepRunner
from watchdog.act.executor.verify import Verifier

__all__ = [
    "CLEARED",
    "LEFT_ALONE",
    "LOOK",
    "NOTICE",
    "Breaker",
    "Execution",
    "Job",
    "StepRunner",
    "Verifier",
    "execute",
    "last_look",
    "look_window",
]

"""What `/healthz` says about the daemon: whether its cycles are working, not merely whether
its HTTP server is up. A supervisor (systemd, Kubernetes, a load balancer) restarts or pages on
a 503, so a daemon whose every cycle fails must say so.

Unhealthy when either holds:
- the last `max_failures` cycles all failed (the reason is the last one's error);
- no cycle has completed since two scheduled cycles came due, plus the time one cycle may
  take (its lock): a cycle that hangs, or a scheduler that stopped, is caught too.
A cycle skipped because another daemon held the store's lock counts as alive: that daemon did
the work.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from apscheduler.triggers.base import BaseTrigger

# How much of a failure's text /healthz repeats: enough to act on, never a whole traceback.
MAX_REASON = 300


@dataclass
class Health:
    trigger: BaseTrigger
    started_at: datetime
    max_failures: int
    # How long one cycle may run (the store lock it holds) before it counts as overdue.
    allowance: timedelta
    last_alive: datetime | None = None
    failures: int = 0
    last_error: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cycle_ran(self, at: datetime) -> None:
        with self._lock:
            self.last_alive, self.failures, self.last_error = at, 0, ""

    def cycle_skipped(self, at: datetime) -> None:
        with self._lock:
            self.last_alive = at

    def cycle_failed(self, error: BaseException) -> None:
        text = " ".join(f"{type(error).__name__}: {error}".split())
        with self._lock:
            self.failures += 1
            self.last_error = text[:MAX_REASON]

    def verdict(self, now: datetime) -> tuple[bool, str]:
        """(healthy, one line saying why), for `now`."""
        with self._lock:
            failures, error, alive = self.failures, self.last_error, self.last_alive
        if failures >= self.max_failures:
            return False, f"unhealthy: the last {failures} cycles failed; last error: {error}"
        since = alive or self.started_at
        overdue = self._second_due_after(since)
        if overdue is not None and now > overdue + self.allowance:
            what = "no cycle has completed" if alive is None else "no cycle has completed since"
            when = "" if alive is None else f" {alive:%Y-%m-%d %H:%M:%S %Z}"
            return False, f"unhealthy: {what}{when}; two scheduled cycles have come and gone"
        if alive is None:
            return True, "ok: started, no cycle has completed yet"
        return True, f"ok: last cycle completed {alive:%Y-%m-%d %H:%M:%S %Z}"

    def _second_due_after(self, since: datetime) -> datetime | None:
        """When the second scheduled cycle after `since` comes due (None: never)."""
        tick = timedelta(microseconds=1)  # strictly after: a cycle ends after it came due
        first: datetime | None = self.trigger.get_next_fire_time(None, since + tick)
        if first is None:
            return None
        second: datetime | None = self.trigger.get_next_fire_time(first, first + tick)
        return second

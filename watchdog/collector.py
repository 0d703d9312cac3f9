"""How often the process's cycle collector walks every object: far less often than CPython's
default, for a process that runs plans.

A plan keeps what it builds until it ends: the scan's records, and series of 192 hourly points
for every metric it asks (two per endpoint; a 500-query GetMetricData answer alone is 96,000
points). CPython collects its oldest generation after every 10 collections of the middle one,
each time the objects that outlived them grew by a quarter, and that walks every object the
plan holds, however little is garbage. On bench/plan.py's 1,000 endpoints (a first plan and the
one after it, in one process) that was 9 full collections and 1.8 s of the watchdog's CPU in
the collector (1.3 s in the full ones). After 100 middle collections instead of 10: one full
collection, 0.5 s in all, the same peak memory (210 MB), and the plan after the first 0.5-1 s
sooner. The young generations keep CPython's thresholds, so cycles are still found as soon as
before; what lives long is walked less.
"""

from __future__ import annotations

import gc

# Collections of the middle generation between two of the oldest (CPython's default: 10).
MIDDLE_COLLECTIONS_PER_FULL = 100


def collect_fully_less_often() -> None:
    """Set the oldest generation's threshold for this process; the others are left as they are."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, MIDDLE_COLLECTIONS_PER_FULL)

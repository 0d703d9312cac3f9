"""How soon a thread waiting for the interpreter gets it: after 1 ms rather than CPython's 5,
in a process whose threads mostly wait on AWS.

A scan overlaps its calls in threads (eight describes in flight per service and region), and
each call gives the interpreter up and takes it back several times: for the socket, for
`os.urandom` (botocore's invocation id), for a lock another thread holds. When another thread
is parsing an answer, the one coming back waits until that thread blocks or its interval is
up. A first plan of 1,000 endpoints at 50 ms (the probe of issue 20, six pairs alternated in
one hour): 10.21-11.03 s against 10.48-11.88 s, five of the six faster; the describes' mean
62.1-64.4 ms against 62.8-71.1 ms; the watchdog's CPU no higher. (Tried before the client
factory stopped making the describes wait on its lock, it gained nothing.)
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL_S = 0.001


def hand_over_sooner() -> None:
    """Set this process's switch interval (the sandbox sets its own: watchdog_sandbox.server)."""
    sys.setswitchinterval(SWITCH_INTERVAL_S)

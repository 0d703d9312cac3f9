"""Admission: which teardowns run in this apply, re-verified as a whole before any step.

`admit.py` decides (an approval, consumed once, or the policy's after its grace period; the
same resource that was approved: `identity.py`'s fingerprint); `select.py` holds the rules on one
finding (actionable, ready, automatic); `lifecycle.py` the finding states a run's plan alone
implies (a snooze over, a finding no longer made); `exempt.py` a person's "never touch this".
"""

from __future__ import annotations

from watchdog.act.admission.admit import Admission, finding_outcome
from watchdog.act.admission.exempt import EXEMPT_KEY, EXEMPT_VALUE, exempt_finding
from watchdog.act.admission.identity import changes, fingerprint
from watchdog.act.admission.lifecycle import Transition, transitions
from watchdog.act.admission.select import automatic_approval, not_ready

__all__ = [
    "EXEMPT_KEY",
    "EXEMPT_VALUE",
    "Admission",
    "Transition",
    "automatic_approval",
    "changes",
    "exempt_finding",
    "finding_outcome",
    "fingerprint",
    "not_ready",
    "transitions",
]

"""Claiming a step before it runs: the store's lease, and a takeover when the holder is dead.

A lease keeps a step from two runs at once; across machines it is all there is, so a crashed
run's steps wait out WATCHDOG_STEP_LEASE_SECONDS. On the same host the claim's holder process
can be checked: if it is gone (kill -9, a crash), its steps are taken over at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import structlog

from watchdog.store import holders
from watchdog.store.base import FINAL_STEP_STATES, StepRecord, Store

log = structlog.get_logger(__name__)


def claim_step(
    store: Store, step_id: str, finding_id: str, run_id: str, now: datetime, lease: timedelta
) -> StepRecord | None:
    """The claim for this run, or None while another live run holds the step."""
    mine = holders.this_process()
    claim = store.claim_step(step_id, finding_id, run_id, now, lease, holder=mine)
    if claim is not None:
        return claim
    held = store.get_step(step_id)
    if held is None or held.state in FINAL_STEP_STATES or not holders.is_gone(held.holder):
        return None
    log.info(
        "taking over a step whose run's process is gone",
        step_id=step_id,
        gone_run=held.run_id,
        gone_holder=held.holder,
        run_id=run_id,
    )
    return store.claim_step(
        step_id, finding_id, run_id, now, lease, holder=mine, gone_run=held.run_id
    )


def held_by(held: StepRecord | None) -> str:
    """Why a step was not claimed, and until when (the lease, WATCHDOG_STEP_LEASE_SECONDS)."""
    if held is None:
        return "held by another run; it is left to that run"
    until = f" until {held.claimed_until:%H:%M:%S} UTC" if held.claimed_until else ""
    return (
        f"held by run {held.run_id}{until} (its lease, WATCHDOG_STEP_LEASE_SECONDS); "
        "it is left to that run"
    )

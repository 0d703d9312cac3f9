"""What a step reads of AWS and how it makes its call: through its kind (its describe, its status
field, its service's client), or through its operation's own where the state a call changes is
not the kind's status (a park that lowers an auto scaling minimum reads the minimums). A resume
also reads what its park recorded before its first call, which it puts back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watchdog.act.audit import audit_id
from watchdog.act.clients import Clients
from watchdog.kinds import BY_KIND
from watchdog.kinds._operation import EVERY_SERVICE, RECORDED
from watchdog.store.base import Store

if TYPE_CHECKING:
    from watchdog.act.executor.jobs import Job


def client_for(job: Job, clients: Clients) -> Any:
    """The client the step's call takes; the clients themselves for a call on several
    services."""
    service = job.operation.service or BY_KIND[job.step.target_kind].service
    if service == EVERY_SERVICE:
        return clients
    return clients.client(service, job.target.account, job.target.region)


def status_of(job: Job, described: dict[str, Any] | None) -> str | None:
    read = job.operation.status_of
    return read(described) if read is not None else job.teardown.status(described)


def describe(job: Job, clients: Clients, store: Store) -> dict[str, Any] | None:
    """The step's resource as AWS describes it now; None when it is gone."""
    operation = job.operation
    if operation.reads is not None:
        described = operation.reads(clients, job.target)
        if described is not None and operation.puts_back:
            # A resume is done once what its park changed is back: read against that.
            described = {**described, RECORDED: recorded_before(job, store)}
        return described
    read = job.teardown.describe
    if read is None:
        raise LookupError(f"{job.step.target_kind} cannot be read back")
    return read(client_for(job, clients), job.target)


def invoke(job: Job, clients: Clients, described: dict[str, Any] | None) -> None:
    """The step's call; `described` is what the step read of AWS right before it."""
    operation = job.operation
    if operation.acts_on is not None:
        operation.acts_on(client_for(job, clients), job.target, described or {})
    elif operation.invoke is not None:
        operation.invoke(client_for(job, clients), job.target)
    else:
        raise LookupError(f"{job.step.op} cannot be called")


def recorded_before(job: Job, store: Store) -> dict[str, Any]:
    """What the step this one follows found before its first call (a park's minimums): a later
    attempt, after a crash, may have found some of them already lowered."""
    for earlier in job.step.depends_on:
        step = store.get_step(earlier)
        for attempt in range(1, (step.attempts if step else 0) + 1):
            entry = store.get_audit(audit_id(earlier, "started", attempt))
            if entry is not None:
                return dict(entry.description.get("describe") or {})
    return {}  # nothing recorded: the call puts nothing back, and the step never settles

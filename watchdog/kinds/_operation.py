"""`Operation`: one AWS call that changes a resource, as a kind declares it (its teardown's stop
and delete, its park and resume), and the states in which AWS accepts it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from watchdog.records import ResourceRecord

if TYPE_CHECKING:
    from watchdog.kinds.base import AccountClients

# Where a resume's description carries what its park recorded (`Operation.puts_back`).
RECORDED = "RecordedByPark"
# `Operation.service` of a call on several services: it takes the AccountClients.
EVERY_SERVICE = "*"


@dataclass(frozen=True)
class Operation:
    """One AWS call that changes a resource, and the states in which AWS accepts it."""

    op: str  # "service:Operation", the IAM action name, e.g. "sagemaker:DeleteApp"
    # States in which AWS accepts the call; None: any (configs and models have no status).
    allowed_states: frozenset[str] | None = None
    # Why other states refuse it, for a person: "a notebook stops only from InService".
    refused_because: str = ""

    # The call itself, on a client for the kind's service. Asynchronous on AWS's side: the
    # executor then probes until `settled` (or gone).
    invoke: Callable[[Any, ResourceRecord], None] | None = None
    # Statuses in which the operation has finished. A delete has also finished when the
    # resource is gone (the probe answers None).
    settled: frozenset[str] = frozenset()
    # Statuses in which AWS is carrying out this call (a start's Pending): a crashed run's call
    # is then waited for, never repeated. A teardown's are its kind's `in_progress`.
    underway: frozenset[str] = frozenset()
    # Parameters the call always sends that a person approving it should see (a domain is
    # deleted with its EFS home retained), as the plan's step shows them.
    params: tuple[tuple[str, str], ...] = ()

    # The call brings back what is gone (a parked endpoint created again): gone is where it
    # starts, not where it ends, and a resource that exists again is where it ends.
    from_gone: bool = False

    # What the plan's step is called when two steps on one resource make the same call (a park
    # and its resume both RegisterScalableTarget): the step's `op` and id. Default: `op`.
    name: str = ""
    # The service whose client `invoke` takes, when not the kind's own (Application Auto
    # Scaling for an endpoint whose minimum is lowered).
    service: str | None = None
    # The state this call changes, when it is not the kind's status (an auto scaling minimum):
    # `reads` describes it (None: the resource is gone), with clients for any service, and
    # `status_of` names the state in that description. The description is what the step records.
    reads: Callable[[AccountClients, ResourceRecord], dict[str, Any] | None] | None = None
    status_of: Callable[[dict[str, Any] | None], str | None] | None = None
    # The call made from what the step read of AWS just before it (`reads`' description), so
    # it changes only what needs it without reading again: called instead of `invoke`.
    acts_on: Callable[[Any, ResourceRecord, dict[str, Any]], None] | None = None
    # It puts back what the step it follows recorded before its own first call (a resume puts
    # back the minimums its park found): its description then carries that record under
    # RECORDED, for `acts_on` to use and for `status_of` to compare.
    puts_back: bool = False

    @property
    def step_op(self) -> str:
        return self.name or self.op

    def allows(self, status: str | None) -> bool:
        if status is None and self.from_gone:
            return True
        return self.allowed_states is None or status in self.allowed_states

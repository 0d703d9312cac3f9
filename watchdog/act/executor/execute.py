"""The executor: every plan's steps in dependency order, several at once where AWS is working
asynchronously (a domain's apps are deleted together, then its spaces...), until everything is
done, the deadline nears, or the circuit breaker opens.

Steps are started in plan order as soon as the steps they depend on are done; started steps are
polled with backoff. A step shared by two plans (an app inside a domain that is also a finding of
its own) runs once; the other plan sees its outcome.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog

from watchdog.act.clock import Clock
from watchdog.act.executor.breaker import Breaker
from watchdog.act.executor.jobs import InFlight, Job
from watchdog.act.executor.steps import StepRunner
from watchdog.act.models import ExecOptions, StepOutcome, StopReason

log = structlog.get_logger(__name__)

# Fates after which a step counts as done for the steps that depend on it.
CLEARED = frozenset({"done", "already", "would-run"})
# While asked to stop is possible, wait in slices this long, so a stop is seen promptly.
INTERRUPT_CHECK_S = 1.0


@dataclass
class Execution:
    outcomes: dict[str, StepOutcome] = field(default_factory=dict)
    stopped: StopReason | None = None
    stopped_detail: str = ""


def execute(
    jobs: Sequence[Job],
    runner: StepRunner,
    clock: Clock,
    options: ExecOptions,
    breaker: Breaker,
) -> Execution:
    """Run `jobs` (in plan order, dependencies first); every job gets an outcome."""
    result = Execution()
    pending = _unique(jobs)
    flying: dict[str, InFlight] = {}
    while pending or flying:
        stop = _stop_reason(clock, options, breaker)
        if stop is not None:
            _halt(result, stop, pending, flying, runner)
            break
        started = _start_ready(pending, flying, result, runner)
        settled = _poll(flying, result, runner)
        if started or settled:
            continue
        if flying:
            _wait(flying, clock, options)
            continue
        _leave_unreachable(pending, result, runner)
    return result


def _unique(jobs: Sequence[Job]) -> list[Job]:
    seen: set[str] = set()
    unique = []
    for job in jobs:
        if job.step.id not in seen:
            seen.add(job.step.id)
            unique.append(job)
    return unique


def _start_ready(
    pending: list[Job], flying: dict[str, InFlight], result: Execution, runner: StepRunner
) -> bool:
    started = False
    for job in list(pending):
        deps = [result.outcomes.get(d) for d in job.step.depends_on]
        if any(d is None for d in deps):
            continue  # a dependency is still pending or under way
        pending.remove(job)
        blocking = next((d for d in deps if d is not None and d.fate not in CLEARED), None)
        if blocking is not None:
            why = f"waits for {blocking.op} on {blocking.target_name} ({blocking.fate})"
            result.outcomes[job.step.id] = runner.outcome(job, "waiting", why)
            started = True
            continue
        answer = runner.start(job, any(d is not None and d.fate == "would-run" for d in deps))
        if isinstance(answer, InFlight):
            flying[job.step.id] = answer
        else:
            result.outcomes[job.step.id] = answer
        started = True
        if runner.breaker.open:
            break
    return started


def _poll(flying: dict[str, InFlight], result: Execution, runner: StepRunner) -> bool:
    settled = False
    for step_id, flight in list(flying.items()):
        outcome = runner.poll(flight)
        if isinstance(outcome, InFlight):
            flying[step_id] = outcome  # this run made the rest of the call: waited for anew
            settled = True
        elif outcome is not None:
            del flying[step_id]
            result.outcomes[step_id] = outcome
            settled = True
    return settled


def _wait(flying: dict[str, InFlight], clock: Clock, options: ExecOptions) -> None:
    wake = min(f.next_probe_at for f in flying.values())
    if options.deadline is not None:
        wake = min(wake, options.deadline - options.deadline_margin)
    seconds = (wake - clock.now()).total_seconds()
    if options.interrupted is not None:
        seconds = min(seconds, INTERRUPT_CHECK_S)
    if seconds > 0:
        clock.sleep(seconds)


def _stop_reason(clock: Clock, options: ExecOptions, breaker: Breaker) -> StopReason | None:
    if breaker.open:
        return "circuit-breaker"
    if options.interrupted is not None and options.interrupted():
        return "interrupted"
    if options.deadline is not None and clock.now() >= options.deadline - options.deadline_margin:
        return "deadline"
    return None


def _halt(
    result: Execution,
    stop: StopReason,
    pending: list[Job],
    flying: dict[str, InFlight],
    runner: StepRunner,
) -> None:
    why = {
        "circuit-breaker": runner.breaker.why(),
        "interrupted": "the watchdog is shutting down: left for the next run",
        "deadline": "the run's deadline is near: left for the next run",
    }[stop]
    result.stopped, result.stopped_detail = stop, why
    log.warning("executor stopped", reason=stop, detail=why, run_id=runner.run_id)
    for step_id, flight in flying.items():
        result.outcomes[step_id] = runner.park(flight, why)
    flying.clear()
    for job in pending:
        result.outcomes[job.step.id] = runner.outcome(job, "waiting", why)
    pending.clear()


def _leave_unreachable(pending: list[Job], result: Execution, runner: StepRunner) -> None:
    """Steps whose dependencies are in no plan of this run (a malformed plan): never guess."""
    for job in pending:
        missing = [d for d in job.step.depends_on if d not in result.outcomes]
        why = f"depends on steps this run does not have: {', '.join(missing)}"
        result.outcomes[job.step.id] = runner.outcome(job, "waiting", why)
    pending.clear()

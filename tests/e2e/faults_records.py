"""The fault trials' witness and figures: the sandbox's call journal and the store's audit log,
made comparable across seeds; the runs and trials; and the summary bench/faults.py prints.
See tests/e2e/faults.py.
"""

from __future__ import annotations

import json
import random
import urllib.parse
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.e2e.faults import Harness

LEFT_OVER = {"partial", "waiting", "needs-approval"}  # finding fates that leave work behind


# --- The witness: the journal and the audit log, made comparable across seeds ---------------


def alias(text: str, aliases: Mapping[str, str]) -> str:
    for made_up in sorted(aliases, key=len, reverse=True):
        text = text.replace(made_up, aliases[made_up])
    return text


@dataclass(frozen=True)
class Call:
    """One journal line: a Delete*/Stop* request, named by what it acted on."""

    key: str  # e.g. "sagemaker:DeleteApp AppName=default,AppType=JupyterServer,DomainId=..."
    status: int
    at: float


def read_journal(path: Path, aliases: Mapping[str, str]) -> list[Call]:
    if not path.exists():
        return []
    calls = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        params = entry.get("params") or {}
        named = ",".join(
            f"{k}={alias(v, aliases)}" for k, v in sorted(params.items()) if isinstance(v, str)
        )
        if not named:  # a REST call: the resource is the last part of the path
            named = alias(urllib.parse.unquote(entry.get("path", "").rsplit("/", 1)[-1]), aliases)
        key = f"{entry['service']}:{entry['operation']} {named}"
        calls.append(Call(key, int(entry["status"]), float(entry["at"])))
    return calls


def accepted(calls: list[Call]) -> Counter[str]:
    return Counter(c.key for c in calls if 200 <= c.status < 300)


def refused(calls: list[Call]) -> Counter[str]:
    return Counter(c.key for c in calls if 400 <= c.status < 500)


def failed(calls: list[Call]) -> Counter[str]:
    return Counter(c.key for c in calls if c.status >= 500)


@dataclass
class Audit:
    done: Counter[str]  # "<op> <target>" of every outcome="done" entry
    by_run: Counter[str]  # run id -> entries written
    started: Counter[str]  # "<op> <target>" of "started" entries (one per attempt)


def read_audit(db: Path, aliases: Mapping[str, str]) -> Audit:
    from watchdog.store.sqlite import SqliteStore

    audit = Audit(Counter(), Counter(), Counter())
    if not db.exists():
        return audit
    store = SqliteStore(db)
    try:
        for entry in store.list_audit(limit=10000):
            what = f"{entry.op} {alias(entry.target_arn, aliases)}"
            audit.by_run[entry.run_id] += 1
            if entry.outcome == "done":
                audit.done[what] += 1
            elif entry.outcome == "started":
                audit.started[what] += 1
    finally:
        store.close()
    return audit


# --- Runs and trials -------------------------------------------------------------------------


@dataclass
class Run:
    code: int | None  # None: killed
    seconds: float
    stdout: str
    stderr: str
    result: dict[str, Any] | None  # the --format json answer, when it finished
    began_at: float = 0.0  # wall clock (time.time()) at its start, to place journal lines

    @property
    def run_id(self) -> str | None:
        return None if self.result is None else str(self.result["run_id"])

    def left_over(self) -> list[str]:
        """Findings this run left work on (partial, waiting...), as "<fate> <kind> <name>"."""
        findings = (self.result or {}).get("findings", [])
        return [
            f"{f['fate']} {f['resource_kind']} {f['resource_name']}: {f['reason']}"
            for f in findings
            # A blocked step (a resource its Auto Scaling group manages) waits for a person,
            # not for another run.
            if f["fate"] in LEFT_OVER and not f["reason"].startswith("blocked:")
        ]

    def describe(self) -> str:
        code = "killed" if self.code is None else f"exit {self.code}"
        summary = (self.result or {}).get("summary", {})
        text = f"{code} after {self.seconds:.2f} s {summary.get('by_fate', '')}"
        text += f" {summary.get('steps_by_fate', '')}"
        if self.stderr.strip():
            text += "\n      stderr: " + self.stderr.strip()[-2000:].replace("\n", "\n      ")
        return text


@dataclass
class EndState:
    remaining: frozenset[str]
    calls: list[Call]
    audit: Audit

    @property
    def accepted(self) -> Counter[str]:
        return accepted(self.calls)


@dataclass
class Reference:
    seconds: float  # wall time of the uninterrupted run (the mean over the lanes)
    runs: list[Run]  # per lane: the uninterrupted run, then one that must find nothing to do
    state: EndState
    exempt: list[str]
    # Seconds from an uninterrupted run's start to its first change AWS accepted (the mean over
    # the lanes): before it, a run only reads.
    first_change: float = 0.0


# Where a kill landed, from the journal at the kill and the audit log of the killed run.
#   before    it had made no call and written no audit entry
#   mid       some calls or records made, not all
#   after     every call made and every step recorded done; only the exit was left
#   finished  it ended by itself before the delay was up
PHASES = ("before", "mid", "after", "finished")


@dataclass
class Trial:
    index: int
    seed: int
    # Where the kill falls, as a fraction of the window kills are drawn from: an uninterrupted
    # run's wall time, or its part after the first change (Harness.kill_after_first_change).
    fraction: float
    delay: float
    repro: str = ""
    prepared_run_ids: set[str] = field(default_factory=set)  # the set-up's runs, not the trial's
    phase: str = ""
    calls_at_kill: int = 0
    killed: Run | None = None
    resumed: list[Run] = field(default_factory=list)
    state: EndState | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        lines = [
            f"trial {self.index} (seed {self.seed}): kill after {self.delay:.3f} s "
            f"({self.fraction:.3f} of the kill window) landed {self.phase}, "
            f"{self.calls_at_kill} calls accepted by then",
        ]
        if self.repro:
            lines.append(f"  reproduce: {self.repro}")
        if self.killed is not None:
            lines.append(f"  first run:  {self.killed.describe()}")
        for n, run in enumerate(self.resumed, 1):
            lines.append(f"  resumed #{n}: {run.describe()}")
            lines += [f"    left: {why}" for why in run.left_over()]
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        if self.state is not None:
            refused_calls = refused(self.state.calls)
            if refused_calls:
                lines.append(f"  refused calls (4xx): {dict(refused_calls)}")
        return "\n".join(lines)


def fractions(seed: int, count: int) -> list[float]:
    """`count` kill points as fractions of a run, one uniform draw in each of `count` equal
    slices of [0, 1), shuffled: random, yet spread over the whole run however few there are."""
    rng = random.Random(seed)
    drawn = [(i + rng.random()) / count for i in range(count)]
    rng.shuffle(drawn)
    return drawn


def _row(label: str, value: object, note: str = "") -> str:
    """One line of the summary: a label, a right-aligned value and a note."""
    return f"{label:34}{value:>9}   {note}".rstrip()


def _refused_by_call(trials: list[Trial]) -> Counter[str]:
    """The refused (4xx) calls of every trial's end state, counted by API call name."""
    refused_calls: Counter[str] = Counter()
    for t in trials:
        if t.state is not None:
            for key, n in refused(t.state.calls).items():
                refused_calls[key.split(" ")[0]] += n
    return refused_calls


def summary(trials: list[Trial], harness: Harness, seconds: float) -> str:
    """The figures bench/faults.py prints and the test shows on failure."""
    reference = harness.reference
    assert reference is not None
    want = reference.state.accepted
    phases = Counter(t.phase for t in trials)
    resumed = [len(t.resumed) for t in trials]
    counts = [t.state.accepted.get(k, 0) for t in trials if t.state for k in want]
    refused_calls = _refused_by_call(trials)
    exits = Counter(str(r.code) for t in trials for r in t.resumed)
    # A second "started" entry: a resumed run claimed a step the killed run had marked started
    # but not called yet (AWS still showed it untouched), and called it then, once.
    restarted = sum(n - 1 for t in trials if t.state for n in t.state.audit.started.values())
    n = max(1, len(trials))
    seeding = sum(harness.seed_seconds) / max(1, len(harness.seed_seconds))

    row = _row
    return "\n".join(
        [
            row("trials", len(trials), f"seed {trials[0].seed}" if trials else ""),
            row("  failed", sum(1 for t in trials if t.problems)),
            row("  killed before any change", phases["before"]),
            row("  killed mid-teardown", phases["mid"]),
            row("  killed after every change", phases["after"], "(before it exited)"),
            row("  finished before the kill", phases["finished"]),
            row(
                "kills drawn after",
                f"{reference.first_change:.2f} s" if harness.kill_after_first_change else "0 s",
                "an uninterrupted run's first change"
                if harness.kill_after_first_change
                else "(the whole run)",
            ),
            row(
                "uninterrupted run",
                f"{reference.seconds:.2f} s",
                f"{sum(want.values())} calls on {len(want)} resources, "
                f"{len(reference.state.remaining)} resources left; "
                f"{harness.uninterrupted_seconds():.2f} s by the end",
            ),
            row(
                "resumed runs per trial",
                f"{sum(resumed) / n:.2f}",
                f"mean; max {max(resumed, default=0)}; exit codes {dict(sorted(exits.items()))}",
            ),
            row(
                "accepted calls per resource",
                f"{sum(counts) / max(1, len(counts)):.2f}",
                f"min {min(counts, default=0)}, max {max(counts, default=0)} (must be 1)",
            ),
            row("refused calls (4xx)", sum(refused_calls.values()), str(dict(refused_calls))),
            row("steps started again", restarted, "(killed between its record and its call)"),
            row(
                "wall time",
                f"{seconds:.1f} s",
                f"{seconds / n:.2f} s a trial, {seeding:.2f} s of it re-seeding",
            ),
        ]
    )

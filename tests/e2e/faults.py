"""Fault injection for `ai-watchdog apply --execute`: kill it at a random point, resume it, and
check that the end state is the one an uninterrupted run reaches, with every change made once.

Shared by tests/e2e/test_apply_faults.py (a few dozen trials) and bench/faults.py (a hundred).

The pieces:
- `Sandbox` (tests/e2e/faults_sandbox.py): a sandbox server in a child process, reset and
  re-seeded between trials on request. Re-seeding happens inside
  that process because the seed backdates what it creates in the emulator's memory; a fresh
  `ai-watchdog sandbox serve --seed` per trial would cost ~10 s, this costs ~1 s. Only the demo's
  management account in us-east-1 is seeded, without metrics (the policy below does not look at
  traffic), which is all the runs scan.
- The witness (tests/e2e/faults_records.py, with the runs, the trials and the summary): the
  sandbox's call journal (sandbox/watchdog_sandbox/journal.py), one JSON line per
  Delete*/Stop* request the emulator answered, with its parameters and HTTP status. It counts
  what AWS was asked to do, independently of the watchdog's own records.
- `Harness`: one uninterrupted reference run, then trials. A trial starts `apply --execute`,
  SIGKILLs it after a delay drawn (seeded) from [0, an uninterrupted run's wall time] (timed
  on the reference runs, then on every run that did the whole teardown by itself; a harness
  may start the window at the uninterrupted run's first change, as the park trials do), then runs
  apply again, sleeping past the step lease between runs, until it exits 3 (nothing to do) or 0
  with nothing left. It then compares with the reference: the resources left per kind, the
  accepted Delete*/Stop* calls per resource (exactly one each, the same ones), and the store's
  audit log (exactly one "done" entry per step).
"""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.e2e.conftest import cli
from tests.e2e.faults_records import (
    EndState,
    Reference,
    Run,
    Trial,
    accepted,
    failed,
    fractions,
    read_audit,
    read_journal,
)
from tests.e2e.faults_sandbox import REGION, Sandbox, Seeded, clean_env

# Deletes with automatic approval and no grace: every run may act at once. Committed
# provisioned throughput cannot be deleted before its term ends, so only on-demand is chosen.
POLICY = """\
policies:
  - name: tear-down
    resource: [sagemaker-domain, sagemaker-endpoint, sagemaker-notebook-instance,
               sagemaker-mlflow-tracking-server]
    conditions: {older_than: 1h}
    action: delete
    approval: {mode: automatic, grace: 0h}
  - name: tear-down-throughput
    resource: [bedrock-provisioned-throughput]
    conditions: {older_than: 1h, billing: [on-demand]}
    action: delete
    approval: {mode: automatic, grace: 0h}
"""

EXIT_DONE, EXIT_PARTIAL, EXIT_NOTHING_TO_DO, EXIT_REFUSED = 0, 1, 3, 4
EXPECTED_EXITS = {EXIT_DONE, EXIT_PARTIAL, EXIT_NOTHING_TO_DO, EXIT_REFUSED}
RUN_TIMEOUT_S = 180


# A run that outlives RUN_TIMEOUT_S is a failed trial with its output, not a crashed harness:
# it is killed and reported with timeout(1)'s exit code, which no run of the CLI exits with.
EXIT_TIMED_OUT = 124


def communicate(process: subprocess.Popen[str]) -> tuple[str, str, int]:
    """The run's stdout, stderr and exit code, once it ends or is timed out."""
    try:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        stderr += f"\n[still running after {RUN_TIMEOUT_S} s: killed by the fault harness]"
        return stdout, stderr, EXIT_TIMED_OUT
    return stdout, stderr, process.returncode


class Harness:
    """Reference and trials over `lanes` sandboxes, one trial per lane at a time.

    What a trial kills is `command()`, after `prepare()`; both are hooks for another run mode
    (tests/e2e/park_faults.py kills parks and resumes)."""

    policy_text = POLICY
    # What the run that finds nothing left exits with.
    nothing_to_do = EXIT_NOTHING_TO_DO
    # Draw kill points between the first change an uninterrupted run makes and its end.
    kill_after_first_change = False

    def __init__(
        self,
        workdir: Path,
        *,
        lanes: int = 2,
        lease_seconds: float = 0.2,
        poll_seconds: float = 0.05,
        max_poll_seconds: float = 0.2,
        max_resumes: int = 6,
    ) -> None:
        self.workdir = workdir
        self.lease_seconds = lease_seconds
        self.max_resumes = max_resumes
        self.policies = workdir / "policies"
        self.policies.mkdir(parents=True, exist_ok=True)
        (self.policies / "policies.yaml").write_text(self.policy_text)
        self.sandboxes = Sandbox.start(lanes, workdir)
        self.settings = {
            "WATCHDOG_CACHE_DIR": str(workdir / "cache"),
            "WATCHDOG_COST_EXPLORER": "false",
            "WATCHDOG_STEP_LEASE_SECONDS": str(lease_seconds),
            "WATCHDOG_POLL_SECONDS": str(poll_seconds),
            "WATCHDOG_MAX_POLL_SECONDS": str(max_poll_seconds),
        }
        self.reference: Reference | None = None
        self.seed_seconds: list[float] = []
        # Wall times of runs that did the whole teardown by themselves: what "an uninterrupted
        # run" takes now, re-measured as the trials go (the machine's load drifts).
        self.whole_runs: list[float] = []

    def close(self) -> None:
        for sandbox in self.sandboxes:
            sandbox.close()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Runs.
    def _env(self, lane: int) -> dict[str, str]:
        return {
            **clean_env(),
            "AWS_ENDPOINT_URL": self.sandboxes[lane].url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            **self.settings,
        }

    def command(self, out: Path) -> list[str]:
        """The run a trial kills and resumes, without its store; its JSON answer goes to `out`."""
        args = ["apply", "--execute", "--policies", str(self.policies), "--regions", REGION]
        return [*args, "--format", "json", "--output", str(out)]

    def prepare(self, lane: int, where: Path, trial: Trial | None) -> None:
        """Set-up after the seed, before the run a trial kills (for apply: nothing)."""

    def _start(self, lane: int, db: Path, out: Path) -> subprocess.Popen[str]:
        out.unlink(missing_ok=True)
        args = [*cli(), *self.command(out), "--store", f"sqlite:///{db}"]
        return subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self._env(lane)
        )

    def _finish(self, process: subprocess.Popen[str], out: Path, started: float) -> Run:
        stdout, stderr, code = communicate(process)
        seconds = time.monotonic() - started
        if code < 0:  # ended by a signal: our SIGKILL
            return Run(None, seconds, stdout, stderr, None)
        result = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
        return Run(code, seconds, stdout, stderr, result)

    def run(self, lane: int, db: Path, out: Path) -> Run:
        started, began_at = time.monotonic(), time.time()
        run = self._finish(self._start(lane, db, out), out, started)
        run.began_at = began_at
        return run

    def _seed(self, lane: int, journal: Path) -> Seeded:
        seeded = self.sandboxes[lane].seed(journal)
        self.seed_seconds.append(seeded.seconds)
        return seeded

    def _end_state(
        self, lane: int, journal: Path, db: Path, aliases: Mapping[str, str]
    ) -> EndState:
        return EndState(
            self.sandboxes[lane].remaining(),
            read_journal(journal, aliases),
            read_audit(db, aliases),
        )

    # The reference: on every lane at once (so it is timed under the trials' load), an
    # uninterrupted run, then one that must find nothing to do; all lanes must agree.
    def make_reference(self) -> Reference:
        with ThreadPoolExecutor(len(self.sandboxes)) as pool:
            answers = list(pool.map(self._reference, range(len(self.sandboxes))))
        problems = [p for _, _, _, found in answers for p in found]
        runs = [run for first, again, _, _ in answers for run in (first, again)]
        (_, _, (state, exempt), _), *others = answers
        for lane, (_, _, (other, _), _) in enumerate(others, 1):
            if (other.remaining, other.accepted, other.audit.done) != (
                state.remaining,
                state.accepted,
                state.audit.done,
            ):
                problems.append(f"lane {lane}'s uninterrupted run ended elsewhere than lane 0's")
        if problems:
            raise RuntimeError("the reference runs are not usable:\n" + "\n".join(problems))
        seconds = sum(first.seconds for first, _, _, _ in answers) / len(answers)
        changes = [
            min(c.at for c in lane.calls if 200 <= c.status < 300) - first.began_at
            for first, _, (lane, _), _ in answers
        ]
        first_change = max(0.0, sum(changes) / len(changes))
        self.reference = Reference(seconds, runs, state, exempt, first_change)
        self.whole_runs += [first.seconds for first, _, _, _ in answers]
        return self.reference

    def _reference(self, lane: int) -> tuple[Run, Run, tuple[EndState, list[str]], list[str]]:
        where = self.workdir / f"reference-{lane}"
        where.mkdir(parents=True, exist_ok=True)
        journal, db, out = where / "journal.jsonl", where / "store.db", where / "out.json"
        seeded = self._seed(lane, journal)
        self.prepare(lane, where, None)
        first = self.run(lane, db, out)
        again = self.run(lane, db, out)
        state = self._end_state(lane, journal, db, seeded.aliases)
        problems = []
        if first.code != EXIT_DONE or first.left_over():
            problems.append(f"the uninterrupted run: {first.describe()} {first.left_over()}")
        if again.code != self.nothing_to_do:
            problems.append(f"the run after it should have nothing to do: {again.describe()}")
        if not state.accepted or set(state.accepted.values()) != {1}:
            problems.append(f"calls per resource: {dict(state.accepted)}")
        gone = [e for e in seeded.exempt if not any(_names(r, e) for r in state.remaining)]
        if gone:
            problems.append(f"exempt resources gone: {gone}")
        return first, again, (state, seeded.exempt), problems

    # Trials.
    def run_trials(
        self, seed: int, count: int, only: Iterable[int] | None = None, repro: str = ""
    ) -> list[Trial]:
        """Trials `only` (default: all) of `count`, their kill points `fractions(seed, count)`,
        spread over the lanes. `repro` is a command line with {index} in it, for the report."""
        points = fractions(seed, count)
        wanted = list(range(count) if only is None else only)
        if self.reference is None:
            self.make_reference()
        lanes = len(self.sandboxes)
        queues = [wanted[lane::lanes] for lane in range(lanes)]

        def work(lane: int) -> list[Trial]:
            return [
                self.trial(i, seed, points[i], lane, repro.format(index=i)) for i in queues[lane]
            ]

        with ThreadPoolExecutor(lanes) as pool:
            done = [t for trials in pool.map(work, range(lanes)) for t in trials]
        return sorted(done, key=lambda t: t.index)

    def trial(
        self, index: int, seed: int, fraction: float, lane: int = 0, repro: str = ""
    ) -> Trial:
        reference = self.reference or self.make_reference()
        whole = self.uninterrupted_seconds()
        # Kills before the first change only show that a run that changed nothing can be run
        # again; a harness whose runs read for long (a park scans first) draws after it.
        # The first change's place in the run, as a share of it: runs speed up and slow down
        # with the machine's load, and `whole` is re-timed as the trials go.
        share = min(1.0, reference.first_change / reference.seconds) if reference.seconds else 0
        start = share * whole if self.kill_after_first_change else 0.0
        trial = Trial(index, seed, fraction, start + fraction * (whole - start), repro)
        began = time.monotonic()
        where = self.workdir / f"trial-{index:04d}"
        where.mkdir(parents=True, exist_ok=True)
        journal, db, out = where / "journal.jsonl", where / "store.db", where / "out.json"
        seeded = self._seed(lane, journal)
        self.prepare(lane, where, trial)

        started = time.monotonic()
        process = self._start(lane, db, out)
        time.sleep(max(0.0, started + trial.delay - time.monotonic()))
        if process.poll() is None:
            process.kill()  # SIGKILL: no handler runs, nothing is cleaned up, as in a crash
        trial.killed = self._finish(process, out, started)
        if trial.killed.code is not None:
            self._check_exit(trial, trial.killed)
        # Past the lease, the killed run's claims have expired, and the sandbox has answered
        # (and journaled) any request the run sent just before it died.
        time.sleep(self.lease_seconds * 1.5)
        trial.calls_at_kill = sum(accepted(read_journal(journal, seeded.aliases)).values())

        for attempt in range(self.max_resumes):
            if attempt:
                time.sleep(self.lease_seconds * 1.5)
            run = self.run(lane, db, out)
            trial.resumed.append(run)
            self._check_exit(trial, run)
            if run.code == self.nothing_to_do or (run.code == EXIT_DONE and not run.left_over()):
                break
        else:
            trial.problems.append(f"not settled after {self.max_resumes} resumed runs")

        trial.state = self._end_state(lane, journal, db, seeded.aliases)
        trial.phase = self._phase(trial, reference)
        self._compare(trial, reference)
        trial.seconds = time.monotonic() - began
        return trial

    def uninterrupted_seconds(self) -> float:
        """The median wall time of the last few runs that did the whole teardown."""
        recent = sorted(self.whole_runs[-5:])
        return recent[len(recent) // 2]

    def _note_whole(self, run: Run) -> None:
        assert self.reference is not None
        steps = (run.result or {}).get("summary", {}).get("steps_by_fate", {})
        if run.code == EXIT_DONE and steps == {
            "done": sum(self.reference.state.audit.done.values())
        }:
            self.whole_runs.append(run.seconds)

    def _check_exit(self, trial: Trial, run: Run) -> None:
        self._note_whole(run)
        if run.code not in EXPECTED_EXITS:
            trial.problems.append(f"unexpected exit code {run.code}: {run.describe()}")
        elif "Traceback" in run.stderr:
            trial.problems.append(f"a traceback: {run.describe()}")
        elif run.result is None:
            trial.problems.append(f"no JSON answer: {run.describe()}")

    def _phase(self, trial: Trial, reference: Reference) -> str:
        assert trial.killed is not None and trial.state is not None
        if trial.killed.code is not None:
            return "finished"
        resumed_ids = {r.run_id for r in trial.resumed} | trial.prepared_run_ids
        killed_entries = sum(
            n for run_id, n in trial.state.audit.by_run.items() if run_id not in resumed_ids
        )
        if trial.calls_at_kill == 0 and killed_entries == 0:
            return "before"
        resumed_done = sum(
            (r.result or {}).get("summary", {}).get("steps_by_fate", {}).get("done", 0)
            for r in trial.resumed
        )
        if trial.calls_at_kill == sum(reference.state.accepted.values()) and resumed_done == 0:
            return "after"
        return "mid"

    def _compare(self, trial: Trial, reference: Reference) -> None:
        assert trial.state is not None
        state, want = trial.state, reference.state
        if state.remaining != want.remaining:
            extra = sorted(state.remaining - want.remaining)
            missing = sorted(want.remaining - state.remaining)
            trial.problems.append(
                f"end state differs: left that the reference removed {extra}; "
                f"removed that the reference left {missing}"
            )
        got = state.accepted
        repeated = {k: n for k, n in got.items() if n > 1}
        skipped = sorted(k for k in want.accepted if k not in got)
        unexpected = sorted(k for k in got if k not in want.accepted)
        if repeated:
            trial.problems.append(f"calls repeated: {repeated}")
        if skipped:
            trial.problems.append(f"calls never made (skipped steps): {skipped}")
        if unexpected:
            trial.problems.append(f"calls the reference did not make: {unexpected}")
        errors = failed(state.calls)
        if errors:
            trial.problems.append(f"calls the sandbox failed on (5xx): {dict(errors)}")
        done = state.audit.done
        if done != want.audit.done:
            trial.problems.append(
                f"audit 'done' entries differ from the reference: {_diff(done, want.audit.done)}"
            )
        touched = [e for e in reference.exempt if any(_names(k, e) for k in got)]
        if touched:
            trial.problems.append(f"exempt resources were called on: {touched}")


def _names(text: str, resource: str) -> bool:
    """Whether a remaining-resource line or call key names `resource` ("<kind> <name>")."""
    kind, _, name = resource.partition(" ")
    if text.startswith(f"{kind} "):
        return text.split(" ")[1].split("/")[-1] == name
    return f"Name={name}," in f"{text}," or text.endswith(f" {name}")


def _diff(got: Counter[str], want: Counter[str]) -> dict[str, tuple[int, int]]:
    """Keys whose counts differ, as (got, wanted)."""
    return {k: (got[k], want[k]) for k in sorted(set(got) | set(want)) if got[k] != want[k]}

"""Fault injection for parking and resuming: the trials of tests/e2e/faults.py, on a park and on
a resume instead of a teardown (`python bench/faults.py --mode park|resume`; the shape they
caught, a park killed after deleting an endpoint, is also tests/functional/act/
test_endpoint_parking.py's, which keeps `make test` under its time budget).

`ParkHarness("park")` kills `apply --execute` under an office-hours policy, at a random point,
and runs it again until it has nothing left to do; `ParkHarness("resume")` first parks
everything uninterrupted (its calls journaled apart, its runs not the trial's), then kills
`resume --all --execute` and runs it again until nothing is parked. Either way the end state
must be the uninterrupted run's: the same resources in the same states, each Stop*/Delete*
(park) or Start*/Create* (resume) call AWS accepted made exactly once, and one "done" audit entry
per step. The witness is the sandbox's call journal, which counts what AWS was asked to do.

What parks in the demo's management account (us-east-1): its notebook instances, its GPU
instances (stopped, not those in an Auto Scaling group), its classic real-time endpoints
(deleted, then created again from their config under the same name), and, added after each seed
(tests/scale_to_zero.py), an asynchronous endpoint whose scaling minimum is lowered to zero and an
endpoint of inference components whose copies go to zero; their minimums, copies and instances
are part of the end state compared. The schedule parks at midnight UTC and resumes on demand, so
its occurrence is the same for the whole trial.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import boto3

from tests.e2e.conftest import cli
from tests.e2e.faults import RUN_TIMEOUT_S, Harness, communicate
from tests.e2e.faults_records import EndState, Reference, Run, Trial
from tests.e2e.faults_sandbox import REGION
from tests.scale_to_zero import async_keeping, host_of_components, scaling_state

Mode = Literal["park", "resume"]

POLICY = """\
policies:
  - name: office-hours
    resource: [sagemaker-notebook-instance, sagemaker-endpoint, ec2-accelerated-instance]
    conditions: {status: [InService, running]}
    action: park
    approval: {mode: automatic, grace: 0h}
    park: {at: "0 0 * * *", resume: on-demand, timezone: UTC}
"""

EXIT_NOTHING_PARKED = 2  # `resume --all` when nothing is parked: it says so, exit 2
NOTHING_PARKED = "nothing is parked by the watchdog right now"


class ParkHarness(Harness):
    policy_text = POLICY
    # A park or resume run is mostly its scan: kills drawn over the whole run landed before any
    # change in 16 of 20 trials. Drawn after the first change, they land where calls are made.
    kill_after_first_change = True

    def __init__(self, workdir: Path, mode: Mode, *, lanes: int = 2) -> None:
        super().__init__(workdir, lanes=lanes)
        self.mode = mode
        self.nothing_to_do = EXIT_NOTHING_PARKED if mode == "resume" else self.nothing_to_do
        self.whole_steps: int | None = None  # done steps of an uninterrupted run

    def command(self, out: Path) -> list[str]:
        if self.mode == "park":
            return super().command(out)
        return ["resume", "--all", "--execute", "--format", "json"]

    def prepare(self, lane: int, where: Path, trial: Trial | None) -> None:
        """What scales to zero added (journaled apart: it is not the run's); for a resume,
        everything parked first, uninterrupted, journaled to its own file."""
        sandbox = self.sandboxes[lane]
        sandbox.journal(where / "setup-journal.jsonl")
        sagemaker, autoscaling = self._clients(lane)
        async_keeping(sagemaker, autoscaling, 1)
        host_of_components(sagemaker, autoscaling)
        sandbox.journal(where / "journal.jsonl")
        if self.mode == "park":
            return
        sandbox.journal(where / "park-journal.jsonl")
        out = where / "park.json"
        args = [*cli(), *super().command(out), "--store", f"sqlite:///{where / 'store.db'}"]
        parked = subprocess.run(
            args, capture_output=True, text=True, env=self._env(lane), timeout=RUN_TIMEOUT_S
        )
        if parked.returncode != 0:
            raise RuntimeError(f"parking before the resume failed: {parked.stderr[-2000:]}")
        if trial is not None:
            trial.prepared_run_ids.add(json.loads(out.read_text())["run_id"])
        sandbox.journal(where / "journal.jsonl")

    def _finish(self, process: subprocess.Popen[str], out: Path, started: float) -> Run:
        if self.mode == "park":
            return super()._finish(process, out, started)
        stdout, stderr, code = communicate(process)
        seconds = time.monotonic() - started
        if code < 0:
            return Run(None, seconds, stdout, stderr, None)
        result = json.loads(stdout) if code in (0, 1) else None
        if result is not None:
            steps = [s["fate"] for f in result["findings"] for s in f["steps"]]
            result["summary"] = {"steps_by_fate": {f: steps.count(f) for f in set(steps)}}
        return Run(code, seconds, stdout, stderr, result)

    def _check_exit(self, trial: Trial, run: Run) -> None:
        if run.code == EXIT_NOTHING_PARKED and self.mode == "resume":
            if NOTHING_PARKED not in run.stderr:
                trial.problems.append(f"exit 2, but not for nothing parked: {run.describe()}")
            return
        super()._check_exit(trial, run)

    def _clients(self, lane: int) -> tuple[Any, Any]:
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        url = self.sandboxes[lane].url
        return (
            session.client("sagemaker", endpoint_url=url),
            session.client("application-autoscaling", endpoint_url=url),
        )

    def _end_state(
        self, lane: int, journal: Path, db: Path, aliases: Mapping[str, str]
    ) -> EndState:
        """The resources left, and what parking changes in place: minimums, copies, instances."""
        state = super()._end_state(lane, journal, db, aliases)
        scaling = frozenset(scaling_state(*self._clients(lane)))
        return EndState(state.remaining | scaling, state.calls, state.audit)

    def make_reference(self) -> Reference:
        reference = super().make_reference()
        self.whole_steps = _done_steps(reference.runs[0])
        return reference

    def _note_whole(self, run: Run) -> None:
        """A run that did every step itself: its wall time is an uninterrupted run's."""
        if run.code == 0 and not run.left_over() and _done_steps(run) == self.whole_steps:
            self.whole_runs.append(run.seconds)


def _done_steps(run: Run) -> int:
    by_fate = (run.result or {}).get("summary", {}).get("steps_by_fate", {})
    return int(by_fate.get("done", 0))

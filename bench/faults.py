"""Fault-injection benchmark: a teardown, a park or a resume SIGKILLed at random points, resumed.

The trials of tests/e2e/test_apply_faults.py, by the hundred: each re-seeds a sandbox, kills the
first run after a seeded random delay within an uninterrupted run's wall time, resumes until
apply has nothing left to do, and compares with the uninterrupted run (resources left, accepted
Delete*/Stop* calls per resource from the sandbox's call journal, "done" audit entries). Prints
where the kills landed, resumed runs needed, calls per resource (must be 1.00), refused calls and
wall time, and every failing trial in full. Exits 1 if any trial failed.

--mode park kills `apply --execute` under an office-hours policy instead (Stop*/Delete* calls
parking notebooks, GPU instances and endpoints; kill points drawn after the first change, since
a park run is mostly its scan), --mode resume kills `resume --all --execute`
after everything was parked (Start*/CreateEndpoint calls): tests/e2e/park_faults.py.

    python bench/faults.py [--mode apply|park|resume] [--trials 100] [--seed 4] [--lanes 2]
                           [--only 7 --only 12]

A failing trial is re-run alone with the same --seed and --trials plus --only INDEX (the kill
point is the same fraction of the uninterrupted run, re-timed on this machine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# The harness lives with the e2e tests; this script runs from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.faults import Harness
from tests.e2e.faults_records import summary
from tests.e2e.park_faults import ParkHarness


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("apply", "park", "resume"), default="apply")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--lanes", type=int, default=2, help="trials run side by side")
    parser.add_argument(
        "--only", type=int, action="append", help="run only this trial index (repeatable)"
    )
    parser.add_argument("--keep", type=Path, help="keep every run's files under this directory")
    parser.add_argument("-v", "--verbose", action="store_true", help="describe every trial")
    args = parser.parse_args()

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        workdir = args.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        harness = (
            Harness(workdir, lanes=args.lanes)
            if args.mode == "apply"
            else ParkHarness(workdir, args.mode, lanes=args.lanes)
        )
        with harness:
            reference = harness.make_reference()
            setup = time.monotonic() - started
            print(
                f"reference: {len(reference.state.accepted)} changing calls, "
                f"{reference.seconds:.2f} s uninterrupted; set-up {setup:.1f} s",
                flush=True,
            )
            repro = f"python bench/faults.py --mode {args.mode} --seed {args.seed}"
            repro += f" --trials {args.trials}"
            repro += " --only {index}"
            began = time.monotonic()
            trials = harness.run_trials(args.seed, args.trials, args.only, repro=repro)
            seconds = time.monotonic() - began
            failed = [t for t in trials if t.problems]
            for trial in trials if args.verbose else failed:
                print(trial.describe(), end="\n\n")
            print(summary(trials, harness, seconds))
            calls = sorted(t.calls_at_kill for t in trials if t.phase == "mid")
            if calls:
                print(f"{'calls made before a mid-teardown kill':34}{calls[0]:>9}   to {calls[-1]}")
            print(f"{'total wall time':34}{time.monotonic() - started:>7.1f} s")
    print("FAILED" if failed else "ok", f"({len(failed)} of {len(trials)} trials failed)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

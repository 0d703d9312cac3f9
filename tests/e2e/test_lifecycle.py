"""Left running, and stopped at a bad moment: SIGTERM in the middle of a scheduled cycle's
teardown parks it and lets go of the store's lock, and a restarted daemon finishes it; an
`apply --execute` killed with SIGKILL leaves its steps to the next run at once (same host), not
after the lease. Neither calls AWS twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from watchdog_sandbox.slack_api import SlackApi

from tests.e2e.conftest import cli, free_port, run, start_sandbox
from tests.e2e.daemons import start_daemon, wait_for
from watchdog.store.sqlite import SqliteStore

COMPONENT = "mistral-7b-ic"


def approve_component(sandbox: str, store: Path) -> str:
    """Record the findings with a dry `apply`, then approve the inference component's from the
    shell, as an operator would before leaving the daemon to it."""
    env = store_env(store)
    planned = run(["apply", "--regions", "us-east-1", "--format", "json"], sandbox, **env)
    assert planned.returncode in (0, 3), planned.stderr
    findings = json.loads(planned.stdout)["findings"]
    finding_id = next(f["finding_id"] for f in findings if f["resource_name"] == COMPONENT)
    approved = run(["approve", finding_id], **env)
    assert approved.returncode == 0, approved.stderr
    return str(finding_id)


def store_env(store: Path) -> dict[str, str]:
    return {"WATCHDOG_STORE": f"sqlite:///{store}", "WATCHDOG_CACHE_DIR": str(store.parent)}


def steps_done(store: Path, finding_id: str) -> bool:
    opened = SqliteStore(store)
    try:
        steps = opened.list_steps(finding_id)
        return bool(steps) and all(s.state == "done" for s in steps)
    finally:
        opened.close()


def lock_is_free(store: Path) -> bool:
    opened = SqliteStore(store)
    try:
        taken = opened.acquire_lock("daemon-cycle", "probe", datetime.now(UTC), timedelta(1))
        return taken and opened.release_lock("daemon-cycle", "probe")
    finally:
        opened.close()


def daemon_stopped_mid_delete(
    sandbox: str, slack: SlackApi, store: Path, journal: Path, log: str, stop: signal.Signals
) -> int:
    """Start a daemon, whose first cycle (at start) executes the approval; send `stop` once it
    has called DeleteInferenceComponent (AWS takes 4 s to finish it); its exit code."""
    daemon = start_daemon(sandbox, slack, store, free_port(), log)
    try:
        wait_for(
            lambda: journal.exists() and "DeleteInferenceComponent" in journal.read_text(),
            "the scheduled cycle's DeleteInferenceComponent call",
        )
    finally:
        daemon.send_signal(stop)
        code = daemon.wait(timeout=60)
    return code


def test_sigterm_mid_cycle_parks_the_steps_frees_the_lock_and_a_restart_finishes(
    slow_sandbox: tuple[str, Path], slack: SlackApi, tmp_path: Path
) -> None:
    sandbox, journal = slow_sandbox
    store = tmp_path / "watchdog.db"
    finding_id = approve_component(sandbox, store)

    stopped = daemon_stopped_mid_delete(sandbox, slack, store, journal, "first.log", signal.SIGTERM)
    first_log = (tmp_path / "first.log").read_text()
    assert stopped == 0, first_log
    assert "shutting down: left for the next run" in first_log, first_log
    assert "cycle failed" not in first_log and "Traceback" not in first_log, first_log
    assert first_log.index("cycle finished") < first_log.index("daemon stopped"), first_log
    assert lock_is_free(store), first_log

    # An hourly schedule: the restarted daemon's first cycle, at start, must finish it.
    second = start_daemon(sandbox, slack, store, free_port(), "second.log")
    try:
        wait_for(lambda: steps_done(store, finding_id), "the restarted daemon to finish")
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(timeout=60)
    second_log = (tmp_path / "second.log").read_text()
    assert code == 0, second_log
    assert "another daemon holds" not in second_log, second_log
    assert successful_deletes(journal) == 1, second_log


def successful_deletes(journal: Path) -> int:
    calls = [json.loads(line) for line in journal.read_text().splitlines()]
    return sum(c["operation"] == "DeleteInferenceComponent" and c["status"] < 300 for c in calls)


def test_an_apply_killed_mid_step_is_taken_over_at_once_by_the_next_apply(
    slow_sandbox: tuple[str, Path], tmp_path: Path
) -> None:
    sandbox, journal = slow_sandbox
    store = tmp_path / "watchdog.db"
    finding_id = approve_component(sandbox, store)
    env = {
        **os.environ,
        **store_env(store),
        "AWS_ENDPOINT_URL": sandbox,
        "WATCHDOG_POLL_SECONDS": "0.1",
        "WATCHDOG_MAX_POLL_SECONDS": "0.5",
    }
    args = ["apply", "--execute", "--regions", "us-east-1"]
    killed = subprocess.Popen([*cli(), *args], env=env, stdout=subprocess.DEVNULL)
    try:
        wait_for(
            lambda: journal.exists() and "DeleteInferenceComponent" in journal.read_text(),
            "the DeleteInferenceComponent call",
        )
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)

    # Well inside the five-minute lease: the holder's process is gone, so nobody waits.
    again = run(args, sandbox, **store_env(store), WATCHDOG_POLL_SECONDS="0.1")

    assert again.returncode == 0, again.stdout + again.stderr
    assert "held by run" not in again.stdout
    assert steps_done(store, finding_id)
    assert successful_deletes(journal) == 1


def test_a_daemon_killed_mid_cycle_leaves_nothing_held_for_its_restart(
    slow_sandbox: tuple[str, Path], slack: SlackApi, tmp_path: Path
) -> None:
    sandbox, journal = slow_sandbox
    store = tmp_path / "watchdog.db"
    finding_id = approve_component(sandbox, store)
    daemon_stopped_mid_delete(sandbox, slack, store, journal, "first.log", signal.SIGKILL)
    assert not lock_is_free(store)  # killed: it could not let go

    # Same host: the lock and the step of a process that is gone are taken over at once.
    second = start_daemon(sandbox, slack, store, free_port(), "second.log")
    try:
        wait_for(lambda: steps_done(store, finding_id), "the restarted daemon", timeout=60)
    finally:
        second.send_signal(signal.SIGTERM)
        code = second.wait(timeout=60)
    second_log = (tmp_path / "second.log").read_text()
    assert code == 0, second_log
    assert "taking over the store's lock" in second_log, second_log
    assert successful_deletes(journal) == 1, second_log


def test_sigterm_while_the_cycle_reads_aws_stops_at_once_and_saves_nothing(
    slack: SlackApi, tmp_path: Path
) -> None:
    """A cycle still scanning (every call 200 ms on the wire, as a big fleet's scan spends
    minutes) stops at its next AWS call: no waiting for the scan to end, no half-read
    inventory resolving findings, the lock let go."""
    server, sandbox = start_sandbox("--latency-ms", "200")
    store = tmp_path / "watchdog.db"
    try:
        daemon = start_daemon(sandbox, slack, store, free_port(), "daemon.log")
        log_file = tmp_path / "daemon.log"
        try:
            wait_for(lambda: "daemon started" in log_file.read_text(), "the daemon to start")
            time.sleep(1.0)  # inside the scan: it makes dozens of 200 ms calls
        finally:
            daemon.send_signal(signal.SIGTERM)
            started = time.monotonic()
            code = daemon.wait(timeout=60)
        took = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = log_file.read_text()
    assert code == 0, log
    assert "run stopped before planning finished" in log, log
    assert "cycle failed" not in log and "Traceback" not in log, log
    assert "kind skipped" not in log, log  # the stop is not reported as a failing kind
    assert took < 10, f"took {took:.1f} s to stop\n{log}"
    assert lock_is_free(store), log
    opened = SqliteStore(store)
    try:
        assert opened.list_findings() == []
    finally:
        opened.close()

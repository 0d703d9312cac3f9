"""The daemon in-process: two daemons on one store never run a cycle at once, and /metrics
reports what the cycles did, in Prometheus' text format; the parking tick between cycles."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest

from tests.fakes import FakeClock
from tests.functional.demo_snapshot import seed_demo
from tests.unit.test_daemon_metrics import parse
from watchdog.daemon.app import LOCK, Daemon
from watchdog.service.context import build_service
from watchdog.service.routes import Request
from watchdog.settings import Settings
from watchdog.store.sqlite import SqliteStore


@pytest.fixture
def daemons(aws: None, tmp_path: Path) -> Iterator[tuple[Daemon, Daemon]]:
    seed_demo()
    settings = Settings(
        regions="us-east-1",
        store=f"sqlite:///{tmp_path / 'watchdog.db'}",
        cache_dir=str(tmp_path / "cache"),
        cost_explorer=False,
        daemon_port=0,
    )
    made = [
        Daemon(build_service(settings, SqliteStore(tmp_path / "watchdog.db")), owner=owner)
        for owner in ("daemon-a", "daemon-b")
    ]
    yield made[0], made[1]
    for daemon in made:
        daemon.stop()


def test_a_second_daemon_skips_the_cycle_while_the_first_holds_the_store_lock(
    daemons: tuple[Daemon, Daemon],
) -> None:
    first, second = daemons
    now = first.service.clock.now()
    assert first.service.store.acquire_lock(LOCK, first.owner, now, timedelta(minutes=15))

    second.cycle()
    assert second.metrics.cycles == {"skipped": 1}
    assert second.service.store.list_findings() == []  # it did not even plan

    first.service.store.release_lock(LOCK, first.owner)
    second.cycle()
    assert second.metrics.cycles["ok"] == 1
    assert second.service.store.list_findings() != []


def test_metrics_report_the_last_cycle(daemons: tuple[Daemon, Daemon]) -> None:
    daemon, _ = daemons
    daemon.cycle()

    response = daemon.handle(Request("GET", "/metrics"))

    assert response.status == 200 and "text/plain" in response.headers["Content-Type"]
    lines = response.body.splitlines()
    assert 'watchdog_cycles_total{outcome="ok"} 1' in lines
    stake = next(line for line in lines if line.startswith("watchdog_monthly_usd_at_stake "))
    assert float(stake.split()[1]) > 0
    assert any(line.startswith('watchdog_findings{kind="sagemaker-endpoint"') for line in lines)
    assert daemon.handle(Request("GET", "/healthz")).body.startswith("ok: last cycle completed")


def test_each_cycle_reads_the_policies_again_and_keeps_the_last_good_ones(
    aws: None, tmp_path: Path
) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    policy = policies / "watch.yaml"

    def write(name: str) -> None:
        policy.write_text(
            f"policies:\n  - name: {name}\n    resource: [sagemaker-endpoint]\n"
            "    conditions: {older_than: 1h}\n"
        )

    write("first")
    settings = Settings(
        regions="us-east-1",
        policies=str(policies),
        cache_dir=str(tmp_path / "cache"),
        cost_explorer=False,
        daemon_port=0,
    )
    daemon = Daemon(build_service(settings, SqliteStore(tmp_path / "watchdog.db")))
    try:
        write("second")
        daemon.cycle()
        assert [p.name for p in daemon.service.policies] == ["second"]

        errors = daemon.metrics.errors
        policy.write_text("policies: [{name: Not Valid}]\n")
        daemon.cycle()
        assert [p.name for p in daemon.service.policies] == ["second"]
        assert daemon.metrics.errors == errors + 1
        assert daemon.metrics.cycles["ok"] == 2  # the cycle still ran, on the last good set
    finally:
        daemon.stop()


def test_the_daemon_refuses_to_start_on_broken_settings(aws: None, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from watchdog.cli.main import cli

    store = f"sqlite:///{tmp_path / 'watchdog.db'}"
    runner = CliRunner()
    bad_policies = runner.invoke(cli, ["daemon", "--store", store, "--policies", "/nope"])
    bad_schedule = runner.invoke(cli, ["daemon", "--store", store, "--schedule", "every day"])

    assert bad_policies.exit_code == 2 and "/nope" in bad_policies.output
    assert bad_schedule.exit_code == 2
    assert "WATCHDOG_DAEMON_SCHEDULE" in bad_schedule.output


def test_healthz_turns_503_with_the_reason_when_every_cycle_fails(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        regions="us-east-1",
        cache_dir=str(tmp_path / "cache"),
        cost_explorer=False,
        daemon_port=0,
        daemon_max_failed_cycles=2,
    )
    daemon = Daemon(build_service(settings, SqliteStore(tmp_path / "watchdog.db")))
    # The credentials go away after the start (a role removed, keys rotated).
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    try:
        daemon.cycle()
        assert daemon.handle(Request("GET", "/healthz")).status == 200

        daemon.cycle()
        answer = daemon.handle(Request("GET", "/healthz"))
    finally:
        daemon.stop()

    assert answer.status == 503
    assert answer.body.startswith(
        "unhealthy: the last 2 cycles failed; last error: ScopeError: no AWS credentials found"
    )
    assert daemon.metrics.cycles == {"failed": 2}


def test_the_daemon_refuses_to_start_when_aws_cannot_be_used(
    aws: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from watchdog.cli.main import cli

    store = f"sqlite:///{tmp_path / 'watchdog.db'}"
    monkeypatch.setenv("AWS_PROFILE", "nosuchprofile")
    no_profile = CliRunner().invoke(cli, ["daemon", "--store", store, "--port", "0"])
    monkeypatch.delenv("AWS_PROFILE")
    bad_region = CliRunner().invoke(
        cli, ["daemon", "--store", store, "--port", "0"], env={"WATCHDOG_REGIONS": "us-east-9"}
    )

    assert no_profile.exit_code == 2, no_profile.output
    assert no_profile.output.strip().splitlines() == [
        "Error: AWS profile 'nosuchprofile' not found in the AWS config or credentials files "
        "(it comes from AWS_PROFILE or --profile)"
    ]
    assert bad_region.exit_code == 2 and "unknown region 'us-east-9'" in bad_region.output


def test_the_parking_tick_parks_and_resumes_between_cycles_and_metrics_show_the_savings(
    aws: None, tmp_path: Path
) -> None:
    seed_demo()
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "office-hours.yaml").write_text(
        "policies:\n  - name: office-hours\n    resource: [sagemaker-notebook-instance]\n"
        "    conditions: {status: [InService]}\n    action: park\n"
        "    approval: {mode: automatic, grace: 0h}\n"
        "    park: {at: '0 20 * * *', resume: '0 8 * * *'}\n"
    )
    settings = Settings(
        regions="us-east-1",
        mode="enforce",
        policies=str(policies),
        store=f"sqlite:///{tmp_path / 'watchdog.db'}",
        cache_dir=str(tmp_path / "cache"),
        cost_explorer=False,
        daemon_port=0,
    )
    clock = FakeClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    service = build_service(settings, SqliteStore(tmp_path / "watchdog.db"), clock=clock)
    daemon = Daemon(service)
    try:
        daemon.cycle()  # noon: findings stored, nothing due
        assert notebooks("InService") == {"alice-exploration", "gpu-scratchpad", "platform-admin"}

        clock._now = datetime(2026, 12, 7, 20, 5, tzinfo=UTC)
        daemon.parking()
        assert notebooks("InService") == {"platform-admin"}  # exempt
        clock._now = datetime(2026, 12, 8, 8, 5, tzinfo=UTC)
        service.store.acquire_lock(LOCK, "another-daemon", clock.now(), timedelta(minutes=15))
        daemon.parking()  # another daemon's cycle is running: it parks and resumes itself
        assert notebooks("InService") == {"platform-admin"}
        service.store.release_lock(LOCK, "another-daemon")
        daemon.parking()
        assert notebooks("InService") == {"alice-exploration", "gpu-scratchpad", "platform-admin"}

        samples = parse(daemon.handle(Request("GET", "/metrics")).body)
        assert samples['watchdog_parking_ticks_total{outcome="ran"}'] == 2
        assert samples['watchdog_parking_ticks_total{outcome="skipped"}'] == 1
        assert samples["watchdog_parked_hours"] == 2 * 12.0  # two notebooks, 20:05 to 08:05
        assert samples["watchdog_parking_saved_usd"] > 0
        by_team = {k: v for k, v in samples.items() if k.startswith("watchdog_parking_saved_usd_")}
        assert by_team and abs(sum(by_team.values()) - samples["watchdog_parking_saved_usd"]) < 0.02
    finally:
        daemon.stop()


def notebooks(status: str) -> set[str]:
    listed = boto3.client("sagemaker", region_name="us-east-1").list_notebook_instances()
    return {
        n["NotebookInstanceName"]
        for n in listed["NotebookInstances"]
        if n["NotebookInstanceStatus"] == status
    }

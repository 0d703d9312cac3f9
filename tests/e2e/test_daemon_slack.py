"""The daemon end to end: it posts alerts to Slack, a signed Approve click tears the resource
down in dependency order on the sandbox, and the message is updated to say who and when."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import boto3
import pytest

from tests.e2e.conftest import cli, free_port, start_sandbox
from watchdog.sandbox.slack_api import Posted, SlackApi
from watchdog.sandbox.slack_clicks import block_actions, button, signed_request
from watchdog.store.sqlite import SqliteStore

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
ALICE = "U0ALICE001"
T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 90) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def sandbox() -> Iterator[str]:
    """A sandbox of its own: this test deletes what others expect to find."""
    server, url = start_sandbox()
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(users={"alice@example.com": ALICE}, channels={"#finops": "C0FINOPS01"}) as api:
        yield api


def start_daemon(
    sandbox: str,
    slack: SlackApi,
    store: Path,
    port: int,
    log_name: str = "daemon.log",
    **extra: str,
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": sandbox,
        "WATCHDOG_REGIONS": "us-east-1",
        "WATCHDOG_STORE": f"sqlite:///{store}",
        "WATCHDOG_CACHE_DIR": str(store.parent / "cache"),
        "WATCHDOG_MODE": "enforce",
        "WATCHDOG_POLL_SECONDS": "0.1",
        "WATCHDOG_MAX_POLL_SECONDS": "0.5",
        "WATCHDOG_DAEMON_PORT": str(port),
        "WATCHDOG_DAEMON_SCHEDULE": "every 1h",
        "WATCHDOG_SLACK_BOT_TOKEN": slack.token,
        "WATCHDOG_SLACK_API_URL": slack.api_url,
        "WATCHDOG_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "WATCHDOG_SLACK_CHANNEL": "#finops",
        "WATCHDOG_LINK_SECRET": "e2e-link-secret-0123456789abcdef0123456789",
        "WATCHDOG_PUBLIC_URL": f"http://127.0.0.1:{port}",
        **extra,
    }
    log = (store.parent / log_name).open("w")
    return subprocess.Popen(
        [*cli(), "daemon"], stdout=log, stderr=subprocess.STDOUT, text=True, env=env
    )


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return int(answer.status)
    except OSError:
        return 0


def post(url: str, headers: dict[str, str], body: str) -> tuple[int, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status), time.monotonic() - started


def click_approve(slack: SlackApi, alert: Posted, port: int) -> None:
    approve = button(alert.blocks, "approve")
    response_url = slack.response_url(alert.channel, alert.ts)
    payload = block_actions(approve, ALICE, alert.channel, alert.ts, response_url)
    headers, body = signed_request(payload, SIGNING_SECRET)
    status, took = post(f"http://127.0.0.1:{port}/slack/interactions", headers, body)
    assert status == 200 and took < 3


def edited_to(slack: SlackApi, alert: Posted, word: str) -> Callable[[], Posted | None]:
    def probe() -> Posted | None:
        message = slack.message(alert.channel, alert.ts)
        return message if message and word in message.text else None

    return probe


def alert_for(slack: SlackApi, name: str, kind: str = "sagemaker-endpoint") -> Posted | None:
    """The message asking to delete `name` (other policies may post heads-ups about it)."""
    wanted = f"*Delete: {kind} `{name}`*"
    return next((m for m in slack.messages() if wanted in str(m.blocks)), None)


def test_the_daemon_posts_and_an_approve_click_tears_down_in_order(
    sandbox: str, slack: SlackApi, tmp_path: Path
) -> None:
    port = free_port()
    daemon = start_daemon(sandbox, slack, tmp_path / "watchdog.db", port)
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") == 200, "the daemon")
        alert = wait_for(
            lambda: alert_for(slack, "llama3-8b-chat-poc"), "the llama3-8b-chat-poc alert"
        )
        assert alert.channel == "C0FINOPS01" and f"<@{ALICE}>" in str(alert.blocks)
        click_approve(slack, alert, port)

        done = wait_for(edited_to(slack, alert, "Done"), "the message to say Done")
        assert f"<@{ALICE}>" in str(done.blocks) and "UTC" in done.text
        sagemaker = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=sandbox)
        assert not sagemaker.list_endpoints(NameContains="llama3-8b-chat-poc")["Endpoints"]
        # Not posted twice: the click's cycle edited the message, it did not re-announce it.
        headline = "*Delete: sagemaker-endpoint `llama3-8b-chat-poc`*"
        assert sum(headline in str(m.blocks) for m in slack.messages()) == 1
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=60)
    log = (tmp_path / "daemon.log").read_text()
    assert code == 0, log
    store = SqliteStore(tmp_path / "watchdog.db")
    entries = sorted(store.list_audit(limit=1000), key=lambda e: e.at)
    store.close()
    done = [e.op for e in entries if e.outcome == "done" and "llama3-8b-chat-poc" in e.target_arn]
    # The endpoint goes before the config it used; the model stays (another endpoint's
    # inference component still uses it).
    assert done == ["sagemaker:DeleteEndpoint", "sagemaker:DeleteEndpointConfig"], log


def test_over_socket_mode_a_snooze_click_is_acknowledged_and_the_message_edited(
    sandbox_url: str, slack: SlackApi, tmp_path: Path
) -> None:
    port = free_port()
    daemon = start_daemon(
        sandbox_url,
        slack,
        tmp_path / "watchdog.db",
        port,
        WATCHDOG_MODE="dry-run",
        WATCHDOG_SLACK_APP_TOKEN=slack.app_token,
    )
    try:
        assert slack.socket_connected(timeout=60)
        alert = wait_for(lambda: alert_for(slack, "mistral-7b-eval"), "the alert")
        snooze = button(alert.blocks, "snooze")
        envelope = slack.send_interactive(block_actions(snooze, ALICE, alert.channel, alert.ts, ""))
        assert slack.wait_ack(envelope, timeout=3)

        edited = wait_for(edited_to(slack, alert, "Snoozed"), "the message to say Snoozed")
        assert "for 7 days" in edited.text and "until" in edited.text
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=60)
    assert code == 0, (tmp_path / "daemon.log").read_text()


@pytest.fixture
def slow_sandbox(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A sandbox whose asynchronous deletes (inference components) take 4 s, journaling every
    Delete call it answers."""
    journal = tmp_path / "journal.jsonl"
    server, url = start_sandbox(
        WATCHDOG_SANDBOX_ASYNC_SECONDS="4", WATCHDOG_SANDBOX_JOURNAL=str(journal)
    )
    yield url, journal
    server.terminate()
    server.wait(timeout=30)


def test_sigterm_mid_teardown_parks_it_and_a_restarted_daemon_finishes_it(
    slow_sandbox: tuple[str, Path], slack: SlackApi, tmp_path: Path
) -> None:
    sandbox, journal = slow_sandbox
    store = tmp_path / "watchdog.db"
    port = free_port()
    first = start_daemon(sandbox, slack, store, port, "first.log")
    try:
        alert = wait_for(
            lambda: alert_for(slack, "mistral-7b-ic", "sagemaker-inference-component"),
            "the inference component's alert",
        )
        click_approve(slack, alert, port)
        # The delete has been called, and AWS takes 4 s to finish it.
        wait_for(
            lambda: journal.exists() and "DeleteInferenceComponent" in journal.read_text(),
            "the DeleteInferenceComponent call",
        )
    finally:
        first.send_signal(signal.SIGTERM)
        stopped = first.wait(timeout=30)
    first_log = (tmp_path / "first.log").read_text()
    assert stopped == 0, first_log
    assert "shutting down: left for the next run" in first_log, first_log

    second = start_daemon(sandbox, slack, store, free_port(), "second.log")
    try:
        wait_for(edited_to(slack, alert, "Done"), "the restarted daemon to finish", timeout=120)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0, (tmp_path / "second.log").read_text()
    calls = [json.loads(line) for line in journal.read_text().splitlines()]
    deletes = [
        c for c in calls if c["operation"] == "DeleteInferenceComponent" and c["status"] < 300
    ]
    # Called once across both daemons: the second one only watched it finish. (The journal's
    # other lines are the seeding's own StopNotebookInstance calls.)
    assert len(deletes) == 1, (tmp_path / "second.log").read_text()
    sagemaker = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=sandbox)
    names = [
        c["InferenceComponentName"]
        for c in sagemaker.list_inference_components()["InferenceComponents"]
    ]
    assert "mistral-7b-ic" not in names

"""The daemon end to end: it posts alerts to Slack, a signed Approve click tears the resource
down in dependency order on the sandbox, and the message is updated to say who and when."""

from __future__ import annotations

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
    sandbox: str, slack: SlackApi, store: Path, port: int, **extra: str
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
    log = (store.parent / "daemon.log").open("w")
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


def alert_for(slack: SlackApi, name: str) -> Posted | None:
    """The message asking to delete `name` (other policies may post heads-ups about it)."""
    wanted = f"*Delete: sagemaker-endpoint `{name}`*"
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
        posts = [c for c in slack.calls if c.method == "chat.postMessage"]

        approve = button(alert.blocks, "approve")
        payload = block_actions(
            approve, ALICE, alert.channel, alert.ts, slack.response_url(alert.channel, alert.ts)
        )
        headers, body = signed_request(payload, SIGNING_SECRET)
        status, took = post(f"http://127.0.0.1:{port}/slack/interactions", headers, body)
        assert status == 200 and took < 3

        def updated() -> Posted | None:
            message = slack.message(alert.channel, alert.ts)
            return message if message and "Done" in message.text else None

        done = wait_for(updated, "the message to say Done")
        assert f"<@{ALICE}>" in str(done.blocks) and "UTC" in done.text
        sagemaker = boto3.client("sagemaker", region_name="us-east-1", endpoint_url=sandbox)
        assert not sagemaker.list_endpoints(NameContains="llama3-8b-chat-poc")["Endpoints"]
        # Nothing was posted twice: the click's cycle updated, it did not re-announce.
        assert [c for c in slack.calls if c.method == "chat.postMessage"] == posts
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

        def snoozed() -> Posted | None:
            message = slack.message(alert.channel, alert.ts)
            return message if message and "Snoozed" in message.text else None

        edited = wait_for(snoozed, "the message to say Snoozed")
        assert "for 7 days" in edited.text and "until" in edited.text
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=60)
    assert code == 0, (tmp_path / "daemon.log").read_text()

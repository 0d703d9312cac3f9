"""The daemon end to end: it posts alerts to Slack, a signed Approve click tears the resource
down in dependency order on the sandbox, and the message is updated to say who and when."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import boto3
from watchdog_sandbox.slack_api import SlackApi
from watchdog_sandbox.slack_clicks import block_actions, button

from tests.e2e.conftest import ALICE, free_port
from tests.e2e.daemons import alert_for, click_approve, edited_to, get, start_daemon, wait_for
from watchdog.store.sqlite import SqliteStore


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
        # Acknowledged at all; the 3-second budget is not a wall-clock test on a shared machine.
        assert slack.wait_ack(envelope, timeout=30)

        edited = wait_for(edited_to(slack, alert, "Snoozed"), "the message to say Snoozed")
        assert "for 7 days" in edited.text and "until" in edited.text
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=60)
    assert code == 0, (tmp_path / "daemon.log").read_text()


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

"""The real daemon against #14 items 3, 5, 6 and 8 at once: a non-approver's Snooze is refused
and its response_url (a loopback listener) never requested, an approver's Approve replayed
records one approval and is told so, and a Snooze of `abc` days is a 400 with no traceback."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from watchdog_sandbox.slack_api import Posted, SlackApi
from watchdog_sandbox.slack_clicks import block_actions, button, signed_request

from tests.e2e.conftest import ALICE, free_port
from tests.e2e.daemons import SIGNING_SECRET, alert_for, get, start_daemon, wait_for
from tests.functional.service.test_click_reply_url import Listener

BOB = "U0BOB00001"


def post(port: int, clicked: dict[str, Any], user: str, alert: Posted, reply_to: str) -> int:
    """A freshly signed click on `alert`; the HTTP status the daemon answered."""
    payload = block_actions(clicked, user, alert.channel, alert.ts, reply_to)
    headers, body = signed_request(payload, SIGNING_SECRET)
    return replay(port, headers, body)


def replay(port: int, headers: dict[str, str], body: str) -> int:
    url = f"http://127.0.0.1:{port}/slack/interactions"
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def replies(slack: SlackApi, words: str) -> list[str]:
    texts = [str(c.params.get("text", "")) for c in slack.calls if c.method == "response_url"]
    return [t for t in texts if words in t]


def test_the_daemon_authorizes_answers_only_slack_acts_once_and_refuses_bad_values(
    sandbox_url: str, slack: SlackApi, tmp_path: Path
) -> None:
    port, store = free_port(), tmp_path / "watchdog.db"
    listener = Listener()
    threading.Thread(target=listener.serve_forever, daemon=True).start()
    daemon = start_daemon(
        sandbox_url, slack, store, port, WATCHDOG_MODE="dry-run", WATCHDOG_SLACK_APPROVERS=ALICE
    )
    try:
        wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") == 200, "the daemon")
        alert = wait_for(lambda: alert_for(slack, "mistral-7b-eval"), "the alert")
        snooze, approve = button(alert.blocks, "snooze"), button(alert.blocks, "approve")
        own_url = slack.response_url(alert.channel, alert.ts)

        assert post(port, snooze, BOB, alert, listener.url) == 200
        payload = block_actions(approve, ALICE, alert.channel, alert.ts, own_url)
        headers, body = signed_request(payload, SIGNING_SECRET)
        assert replay(port, headers, body) == 200
        # In another second: an approval id stamped to the second cannot hide a second record.
        time.sleep(1.1)
        assert replay(port, headers, body) == 200
        bad = {**snooze, "value": snooze["value"].rsplit(":", 1)[0] + ":abc"}
        assert post(port, bad, ALICE, alert, own_url) == 400

        wait_for(lambda: replies(slack, "already handled"), "the replay's answer")
        wait_for(lambda: replies(slack, "malformed snooze length"), "the bad value's answer")
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=60)
        listener.shutdown()
        listener.server_close()
    log = (tmp_path / "daemon.log").read_text()
    assert code == 0, log
    assert "Traceback" not in log and '"response_url refused"' in log, log
    assert listener.hits == []
    with sqlite3.connect(store) as db:
        approvers = db.execute("SELECT approver FROM approvals").fetchall()
        states = db.execute("SELECT state FROM findings WHERE state = 'snoozed'").fetchall()
    assert approvers == [(f"slack:{ALICE}",)] and states == []

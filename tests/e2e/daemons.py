"""What the daemon's end-to-end tests share: a daemon subprocess pointed at a sandbox and a
local Slack, its HTTP side, and a signed Approve click."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from watchdog_sandbox.slack_api import Posted, SlackApi
from watchdog_sandbox.slack_clicks import block_actions, button, signed_request

from tests.e2e.conftest import ALICE, cli

SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef"
LINK_SECRET = "e2e-link-secret-0123456789abcdef0123456789"
T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 90) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


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
        "WATCHDOG_LINK_SECRET": LINK_SECRET,
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


def post(url: str, headers: dict[str, str], body: str) -> int:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return int(answer.status)


def click_approve(slack: SlackApi, alert: Posted, port: int) -> None:
    approve = button(alert.blocks, "approve")
    response_url = slack.response_url(alert.channel, alert.ts)
    payload = block_actions(approve, ALICE, alert.channel, alert.ts, response_url)
    headers, body = signed_request(payload, SIGNING_SECRET)
    # Answered before the work (tests/functional/service proves the order without a clock);
    # how fast is bench's to measure, not a test's: a loaded CI machine made 3 s flaky.
    assert post(f"http://127.0.0.1:{port}/slack/interactions", headers, body) == 200


def edited_to(slack: SlackApi, alert: Posted, word: str) -> Callable[[], Posted | None]:
    def probe() -> Posted | None:
        message = slack.message(alert.channel, alert.ts)
        return message if message and word in message.text else None

    return probe


def alert_for(slack: SlackApi, name: str, kind: str = "sagemaker-endpoint") -> Posted | None:
    """The message asking to delete `name` (other policies may post heads-ups about it)."""
    wanted = f"*Delete: {kind} `{name}`*"
    return next((m for m in slack.messages() if wanted in str(m.blocks)), None)

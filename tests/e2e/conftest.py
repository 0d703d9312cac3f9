"""End-to-end: the installed `ai-watchdog` command against `ai-watchdog sandbox serve`."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchdog_sandbox.slack_api import SlackApi

READY_TIMEOUT_S = 120
# The Slack user who clicks in the daemon tests.
ALICE = "U0ALICE001"
# The line `sandbox serve` prints for a person to copy, with the URL it listens on.
ENDPOINT_URL = re.compile(r"AWS_ENDPOINT_URL=(http://[^\s]+)")


def cli() -> list[str]:
    """The console script installed with the package (next to this interpreter)."""
    script = Path(sys.executable).with_name("ai-watchdog")
    found = str(script) if script.exists() else shutil.which("ai-watchdog")
    assert found, "ai-watchdog is not installed in this environment"
    return [found]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_sandbox(*options: str, **env: str) -> tuple[subprocess.Popen[str], str]:
    """A seeded sandbox server in its own process, and its URL, once it is ready.

    The server binds a port the system picks (`--port 0`) and prints its URL, so parallel test
    workers never race for the same port. `options` go to `sandbox serve` (`--latency-ms`).
    """
    server = subprocess.Popen(
        [*cli(), "sandbox", "serve", "--port", "0", "--seed", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
    )
    assert server.stdout is not None
    deadline, seen = time.monotonic() + READY_TIMEOUT_S, []
    url = None
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        seen.append(line)
        if found := ENDPOINT_URL.search(line):
            url = found.group(1)
            break
        if not line and server.poll() is not None:
            break
    if server.poll() is not None or url is None:
        server.kill()
        pytest.fail("sandbox did not start:\n" + "".join(seen))
    return server, url


@pytest.fixture(scope="session")
def sandbox_url() -> Iterator[str]:
    """A seeded sandbox server in its own process, for the whole e2e session."""
    server, url = start_sandbox()
    yield url
    server.terminate()
    server.wait(timeout=30)


def run(
    args: list[str], endpoint: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would; `endpoint` points its AWS calls at the sandbox."""
    environment = {**os.environ, **env}
    if endpoint:
        environment["AWS_ENDPOINT_URL"] = endpoint
    return subprocess.run(
        [*cli(), *args], capture_output=True, text=True, env=environment, timeout=300
    )


# The daemon tests' own sandboxes (they delete what others expect to find) and local Slack.
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

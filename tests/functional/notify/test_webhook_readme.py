"""The receiver README "Webhooks" shows, run exactly as written against a real delivery: the
documented example verifies what the watchdog signs, and refuses what it did not sign."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.functional.notify.webhook_receiver import SECRET
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.notify.outbound import tell
from watchdog.notify.webhook import WebhookChannel
from watchdog.store.sqlite import SqliteStore

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_receiver() -> str:
    """The first Python block of README's "### Webhooks" subsection."""
    section = README.read_text().split("\n### Webhooks\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert blocks, "README's Webhooks subsection lost its receiver example"
    return str(blocks[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    script = tmp_path / "receiver.py"
    script.write_text(readme_receiver())
    port = free_port()
    environ = {**os.environ, "WATCHDOG_WEBHOOK_SECRET": SECRET, "PORT": str(port)}
    process = subprocess.Popen(
        [sys.executable, str(script)], env=environ, stdout=subprocess.PIPE, text=True
    )
    try:
        _wait_listening(port, process)
        yield f"http://127.0.0.1:{port}/", process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_listening(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        assert process.poll() is None, "the README receiver exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the README receiver never listened")


def test_the_readme_receiver_verifies_a_real_delivery_and_refuses_a_forged_one(
    tmp_path: Path, receiver: tuple[str, subprocess.Popen[str]]
) -> None:
    url, process = receiver
    store = SqliteStore(tmp_path / "watchdog.db")
    store.save_findings("r-1", [finding(id="f-readme")], NOW)

    result = tell(store, WebhookChannel(url, SECRET), NOW, current=lambda _: True)
    store.close()

    assert (result.sent, result.failed) == (1, [])
    assert process.stdout is not None
    assert process.stdout.readline().split() == ["finding.opened", "f-readme", "e"]

    forged = urllib.request.Request(
        url,
        data=b'{"type":"finding.opened"}',
        headers={"X-Watchdog-Timestamp": str(int(time.time())), "X-Watchdog-Signature": "v1=0"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(forged, timeout=5)
    assert refused.value.code == 401
    refused.value.close()

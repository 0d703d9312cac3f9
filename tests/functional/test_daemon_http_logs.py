"""The daemon in-process, logging at debug: a live approval link shown, checked with HEAD and
approved through the HTTP server leaves no token in any log line (the access line names the
path by a hash of the token instead), and every line is JSON."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.approvals.tokens import issue_token
from watchdog.daemon.app import Daemon
from watchdog.logs import configure_logging
from watchdog.service.context import build_service
from watchdog.settings import Settings
from watchdog.store.sqlite import SqliteStore

LINK_SECRET = "logs-link-secret-0123456789abcdef0123456789"


def call(url: str, method: str, body: bytes | None = None) -> int:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_live_token_is_in_no_log_line_at_debug(
    aws: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = SqliteStore(tmp_path / "watchdog.db")
    store.save_findings("r-1", [finding()], NOW - timedelta(hours=1))
    settings = Settings(
        regions="us-east-1",
        link_secret=LINK_SECRET,
        public_url="http://127.0.0.1",
        cost_explorer=False,
        cache_dir=str(tmp_path / "cache"),
        daemon_port=0,
        daemon_run_on_start=False,
    )
    configure_logging("json", "debug")
    daemon = Daemon(build_service(settings, store))
    token = issue_token(LINK_SECRET.encode(), "f-1", "delete", datetime.now(UTC) + timedelta(1))
    link = f"http://127.0.0.1:{{port}}/approve/{token}"
    daemon.start()
    try:
        url = link.format(port=daemon.port)
        shown = [call(url, "GET"), call(url, "HEAD")]
        approved = call(url, "POST", b"confirm=1")
        again = call(url, "POST", b"confirm=1")  # used up: refused, and logged as such
    finally:
        daemon.stop()  # waits for the approval's work, which logs too

    assert shown == [200, 200] and approved == 200 and again != 200
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    body, signature = token.split(".")
    assert [line for line in lines if body in line or signature in line] == []
    paths = {json.loads(line).get("path") for line in lines}
    hint = hashlib.sha256(token.encode()).hexdigest()[:12]
    assert f"/approve/sha256:{hint}" in paths

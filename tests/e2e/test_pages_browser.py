"""The pages a person opens from a link, as a real browser shows them: the approval page, the
Resume now page and the savings report, served by the real `ai-watchdog daemon` and loaded in
headless Chromium at a phone's size (390x844). Each page loads with nothing in the console (a
Content-Security-Policy violation is a console error, and the pages send a strict one), shows
its resource and its money as rendered text, never scrolls sideways, and leaves a screenshot.

One Chromium for the whole module (~1 s to start), one daemon over a store given three
findings and one teardown (tests/e2e/browser.py drives Chromium).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.conftest import FAKE_AWS_ENV
from tests.e2e.browser import PHONE, Browser, Visit, chromium
from tests.e2e.conftest import ALICE, free_port
from tests.e2e.daemons import LINK_SECRET, get, start_daemon, wait_for
from tests.unit.evaluate.factories import endpoint, record
from watchdog.approvals.tokens import issue_report_token, issue_token
from watchdog.findings import Evidence, Finding, Step
from watchdog.policies.schema import Action
from watchdog.store.base import AuditEntry
from watchdog.store.sqlite import SqliteStore

NOW = datetime.now(UTC)
# $1,027.84 + $412.16 + $560.00: the report's "at stake now" is $2,000.00.
CHAT, EVAL, NOTEBOOK = "llm-chat-prod", "bert-eval-staging", "alice-exploration"


def finding(resource_name: str, usd: float, team: str, action: Action = "delete") -> Finding:
    park = action == "park"
    if park:
        resource = record(
            "sagemaker-notebook-instance",
            resource_name,
            f"notebook-instance/{resource_name}",
            instance_type="ml.g5.2xlarge",
            status="Stopped",
            tags={"team": team},
        )
    else:
        resource = endpoint(resource_name, tags={"team": team})
    return Finding(
        id=f"f-{resource_name}",
        resource=resource,
        policy="office-hours" if park else "idle-endpoints",
        action=action,
        reason="no invocations in 14 days",
        evidence=Evidence(state="idle", window_hours=336, invocations=0, threshold=1),
        monthly_cost_usd=usd,
        cost_basis="price-list",
        confidence="high",
        owner="alice@example.com",
        steps=(
            Step(
                id=f"s-{resource_name}",
                op="sagemaker:StopNotebookInstance" if park else "sagemaker:DeleteEndpoint",
                target_arn=resource.arn,
                target_kind=resource.kind,
                target_name=resource_name,
            ),
        ),
    )


def given_a_store(path: Path) -> None:
    store = SqliteStore(path)
    store.save_findings(
        "r-1",
        [
            finding(CHAT, 1027.84, "nlp"),
            finding(EVAL, 412.16, "risk"),
            finding(NOTEBOOK, 560.00, "research", action="park"),
        ],
        NOW - timedelta(days=3),
    )
    store.set_finding_state(f"f-{NOTEBOOK}", "parked", "office hours", NOW - timedelta(hours=2))
    gone = endpoint("vision-batch", tags={"team": "vision"})
    store.append_audit(
        AuditEntry(
            id="a-vision-batch",
            at=NOW - timedelta(days=5),
            run_id="r-0",
            finding_id="f-vision-batch",
            op="sagemaker:DeleteEndpoint",
            target_arn=gone.arn,
            account=gone.account,
            region=gone.region,
            outcome="done",
            approved_by="alice@example.com",
            description={"EndpointName": "vision-batch", "tags": {"team": "vision"}},
            monthly_cost_saved_usd=1090.50,
        )
    )
    store.close()


@dataclass
class Daemon:
    url: str


@pytest.fixture(scope="module")
def daemon(sandbox_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    """Dry-run, no cycle at start: it serves what the store holds and changes nothing."""
    directory = tmp_path_factory.mktemp("daemon-pages")
    store, port = directory / "watchdog.db", free_port()
    given_a_store(store)
    with SlackApi(users={"alice@example.com": ALICE}, channels={"#finops": "C0FINOPS01"}) as slack:
        process = start_daemon(
            sandbox_url,
            slack,
            store,
            port,
            WATCHDOG_MODE="dry-run",
            WATCHDOG_DAEMON_RUN_ON_START="false",
            AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials",
            **FAKE_AWS_ENV,
        )
        try:
            wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz") == 200, "the daemon")
            yield Daemon(f"http://127.0.0.1:{port}")
        finally:
            process.send_signal(signal.SIGTERM)
            code = process.wait(timeout=60)
    assert code == 0, (directory / "daemon.log").read_text()


@pytest.fixture(scope="session")
def chromium_binary() -> str:
    """Looked for first (session-scoped), so that a machine without it fails at once."""
    try:
        return chromium()
    except RuntimeError as missing:  # CI installs it: a missing browser fails, never skips
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="module")
def browser(chromium_binary: str) -> Iterator[Browser]:
    with Browser(chromium_binary) as opened:
        yield opened


def link(
    daemon: Daemon, purpose: Literal["approve", "resume"], finding_id: str, action: str
) -> str:
    expires = NOW + timedelta(hours=24)
    token = issue_token(LINK_SECRET.encode(), finding_id, action, expires, purpose=purpose)
    return f"{daemon.url}/{purpose}/{token}"


def shown(browser: Browser, url: str, shot: Path, *key: str) -> Visit:
    """The page loaded cleanly under its CSP, fits a phone's width, shows its `key` texts
    there, and is photographed."""
    visit = browser.open(url)
    print(f"\nscreenshot: {browser.screenshot(shot)}")
    assert visit.status == 200, visit.text
    assert "default-src 'none'" in visit.headers["content-security-policy"]
    assert visit.problems == []
    # Wider content scrolls sideways; a phone also zooms out to fit it (a wider viewport).
    wide = max(visit.scroll_width, visit.viewport_width)
    assert wide <= PHONE["width"], f"{wide} CSS px wide on a {PHONE['width']} px phone"
    assert [text for text in key if not browser.shown(text)] == []
    return visit


def test_the_approval_page_shows_the_resource_and_its_cost(
    browser: Browser, daemon: Daemon, tmp_path: Path
) -> None:
    url = link(daemon, "approve", f"f-{CHAT}", "delete")
    visit = shown(browser, url, tmp_path / "approve.png", CHAT, "$1,027.84", "Approve delete")

    assert f"Approve delete of {CHAT}?" in visit.text
    assert "Monthly cost\n$1,027.84 (price-list)" in visit.text
    assert "Approve delete" in visit.text.splitlines()[-1]  # the button, last


def test_the_resume_page_shows_the_parked_resource_and_its_cost(
    browser: Browser, daemon: Daemon, tmp_path: Path
) -> None:
    url = link(daemon, "resume", f"f-{NOTEBOOK}", "park")
    visit = shown(browser, url, tmp_path / "resume.png", NOTEBOOK, "$560.00", "Resume now")

    assert f"Resume {NOTEBOOK} now?" in visit.text
    assert "Monthly cost while running\n$560.00 (price-list)" in visit.text
    assert visit.text.splitlines()[-1] == "Resume now"


def test_the_report_link_shows_what_is_at_stake(
    browser: Browser, daemon: Daemon, tmp_path: Path
) -> None:
    # As `ai-watchdog report --link` makes it (tests/functional/test_cli_report.py runs that).
    token = issue_report_token(LINK_SECRET.encode(), timedelta(days=30), NOW + timedelta(days=7))
    url = f"{daemon.url}/report/{token}"
    visit = shown(browser, url, tmp_path / "report.png", "$2,000.00", CHAT, EVAL, NOTEBOOK)

    assert "At stake now, a month\n$2,000.00\n3 resources in 3 standing findings" in visit.text
    assert "Saved in the window" in visit.text and "vision" in visit.text
    for name in (CHAT, EVAL, NOTEBOOK):
        assert name in visit.text

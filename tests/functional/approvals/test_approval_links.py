"""Approval links end to end on a real SQLite store: a GET shows and changes nothing, only the
confirm form's POST approves, once; every bad or stale link gets a page and no approval."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW, endpoint
from watchdog.approvals.http import Response, handle_approval
from watchdog.approvals.tokens import issue_token, verify_token
from watchdog.findings import Evidence, Finding
from watchdog.logs import configure_logging
from watchdog.store.base import Store
from watchdog.store.sqlite import SqliteStore

SECRET = b"k" * 48
EXPIRES = NOW + timedelta(hours=24)
SLACK_UNFURLER = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    opened.save_findings("r-1", [saved()], NOW - timedelta(hours=1))
    yield opened
    opened.close()


def saved(**fields: object) -> Finding:
    evidence = Evidence(state="idle", window_hours=336, invocations=0, threshold=1)
    return finding(evidence=evidence, monthly_cost_usd=1012.5, **fields)


def link(finding_id: str = "f-1", action: str = "delete", expires_at: object = EXPIRES) -> str:
    return issue_token(SECRET, finding_id, action, expires_at)  # type: ignore[arg-type]


def request(method: str, token: str, store: Store, **kw: object) -> Response:
    args: dict[str, object] = {"now": NOW, "approver": "link"} | kw
    return handle_approval(method, token, store, SECRET, **args)  # type: ignore[arg-type]


def approved(store: Store) -> bool:
    return store.pending_approval("f-1", "delete", NOW) is not None


def test_get_renders_the_confirm_page_and_changes_nothing(store: Store) -> None:
    token = link()
    # Slack's unfurler, a mail scanner and the person's browser each fetch the link: a
    # handler has no user agent to go by, so every GET (and HEAD) must be harmless.
    for method in ("GET", "HEAD", "GET", "get", "GET"):
        response = request(method, token, store)
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
    page = request("GET", token, store).body
    assert "sagemaker-endpoint e" in page
    assert "arn:aws:sagemaker:us-east-1:111122223333:endpoint/e" in page
    assert "111122223333 / us-east-1" in page
    assert "$1,012.50 (price-list)" in page
    assert "idle over 336 h 0 invocations threshold 1" in page
    assert '<form method="post"><button type="submit">Approve delete</button></form>' in page
    assert '<meta name="robots" content="noindex">' in page
    assert request("HEAD", token, store).body == ""
    assert not approved(store)
    assert store.get_finding("f-1").state == "open"  # type: ignore[union-attr]

    # The token was never used up by the GETs: the confirm form still approves.
    assert request("POST", token, store).status == 200
    assert approved(store)


def test_the_unfurler_user_agent_changes_nothing(store: Store) -> None:
    # The agent is recorded for the reader; the handler is the same for any GET.
    assert "Slackbot-LinkExpanding" in SLACK_UNFURLER
    token = link()
    for _ in range(3):
        assert request("GET", token, store).status == 200
    assert store.list_audit() == []
    assert not approved(store)


def test_post_approves_once_via_the_link(store: Store) -> None:
    token = link()

    response = request("POST", token, store, approver="alice@example.com")

    assert response.status == 200
    assert "Approved by alice@example.com at 2026-11-24 12:00 UTC" in response.body
    assert "it runs at the next apply" in response.body
    approval = store.pending_approval("f-1", "delete", NOW)
    assert approval is not None
    assert approval.via == "link"
    assert approval.approver == "alice@example.com"
    assert approval.action == "delete"
    assert approval.expires_at == EXPIRES
    assert approval.id.startswith("ap-")


def test_a_second_post_is_refused_and_adds_nothing(store: Store) -> None:
    token = link()
    assert request("POST", token, store).status == 200
    taken = store.consume_approval("f-1", "delete", NOW)
    assert taken is not None

    replay = request("POST", token, store)

    assert replay.status == 410
    assert "already been used" in replay.body
    assert "Nothing was approved" in replay.body
    assert store.consume_approval("f-1", "delete", NOW) is None


def test_a_get_after_the_approval_says_the_link_was_used(store: Store) -> None:
    token = link()
    request("POST", token, store)

    again = request("GET", token, store)

    assert again.status == 410
    assert "already been used" in again.body


def test_an_expired_link_gets_a_page_and_no_approval(store: Store) -> None:
    token = link(expires_at=NOW)
    for method in ("GET", "POST"):
        response = request(method, token, store)
        assert response.status == 410
        assert "expired at 2026-11-24 12:00 UTC" in response.body
        assert "ai-watchdog approve f-1" in response.body
    assert not approved(store)


def test_a_tampered_or_forged_link_is_a_bad_request(store: Store) -> None:
    body, signature = link().split(".")
    forged = issue_token(b"x" * 32, "f-1", "delete", EXPIRES)
    for token in (f"{body}.{signature[::-1]}", forged, "not-a-token", ""):
        for method in ("GET", "POST"):
            response = request(method, token, store)
            assert response.status == 400, token
            assert "Invalid approval link" in response.body
    assert not approved(store)


def test_a_link_for_an_unknown_finding_is_not_found(store: Store) -> None:
    token = link(finding_id="f-gone")
    for method in ("GET", "POST"):
        assert request(method, token, store).status == 404
    assert store.pending_approval("f-gone", "delete", NOW) is None


def test_a_link_whose_action_the_finding_no_longer_asks_for_is_a_conflict(store: Store) -> None:
    store.save_findings("r-2", [saved(action="notify", steps=())], NOW)
    token = link()
    for method in ("GET", "POST"):
        response = request(method, token, store)
        assert response.status == 409
        assert "now asks to notify" in response.body
    assert not approved(store)
    assert store.pending_approval("f-1", "notify", NOW) is None


def test_a_wrong_action_link_is_refused_and_its_token_stays_unused(store: Store) -> None:
    stop = link(action="stop")
    assert request("POST", stop, store).status == 409
    assert store.pending_approval("f-1", "stop", NOW) is None
    # Refusals consume nothing: the token would still be taken the first time.
    assert store.consume_token(verify_token(SECRET, stop, NOW).token_id, NOW)


@pytest.mark.parametrize("state", ["done", "executing"])
def test_a_link_for_a_finished_finding_is_a_conflict(store: Store, state: str) -> None:
    store.set_finding_state("f-1", state, "", NOW)  # type: ignore[arg-type]
    token = link()
    for method in ("GET", "POST"):
        response = request(method, token, store)
        assert response.status == 409
        assert f"already {state}" in response.body
    assert not approved(store)


def test_resource_names_are_escaped(store: Store) -> None:
    evil = endpoint("<script>alert(1)</script>")
    store.save_findings("r-2", [saved(resource=evil, reason='idle "&" <b>')], NOW)
    token = link()

    page = request("GET", token, store).body
    done = request("POST", token, store).body

    for html in (page, done):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "idle &quot;&amp;&quot; &lt;b&gt;" in page


def test_other_methods_are_not_allowed(store: Store) -> None:
    response = request("DELETE", link(), store)
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD, POST"
    assert not approved(store)


def test_logs_name_the_finding_and_outcome_but_never_the_token(store: Store) -> None:
    configure_logging("json", "info")  # the suite's default drops info; the fixture restores it
    token = link()
    with capture_logs() as logs:
        for method in ("GET", "POST", "POST"):
            request(method, token, store)
        request("GET", token + "x", store)

    outcomes = [(e.get("finding_id"), e["outcome"]) for e in logs if "outcome" in e]
    assert outcomes == [("f-1", "shown"), ("f-1", "approved"), ("f-1", "used"), (None, "malformed")]
    assert token not in repr(logs)
    assert token.split(".")[1] not in repr(logs)

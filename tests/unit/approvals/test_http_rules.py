"""The handler's rules that need no real store: headers, methods, outages and page text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.approvals.http import handle_approval
from watchdog.approvals.pages import HEADERS, evidence_summary, monthly_cost
from watchdog.approvals.tokens import issue_token
from watchdog.findings import Evidence
from watchdog.store.base import Approval, StoreConflict, StoredFinding, StoreUnavailable
from watchdog.store.sqlite import SqliteStore

SECRET = b"k" * 32
TOKEN = issue_token(SECRET, "f-1", "delete", NOW + timedelta(hours=24))


class FlakyStore(SqliteStore):
    """An in-memory store whose chosen call fails, as a backend outage would."""

    def __init__(self, failing: str, error: Exception) -> None:
        super().__init__(":memory:")
        self.failing, self.error = failing, error
        self.save_findings("r", [finding()], NOW)

    def get_finding(self, finding_id: str) -> StoredFinding | None:
        if self.failing == "get_finding":
            raise self.error
        return super().get_finding(finding_id)

    def add_approval(self, approval: Approval) -> None:
        if self.failing == "add_approval":
            raise self.error
        super().add_approval(approval)


def test_every_response_carries_the_safety_headers() -> None:
    store = FlakyStore("none", Exception())
    for method, token in (("GET", TOKEN), ("GET", "bad"), ("PUT", TOKEN), ("POST", TOKEN)):
        response = handle_approval(method, token, store, SECRET, NOW)
        for name in ("Cache-Control", "Content-Type", "X-Frame-Options", "Referrer-Policy"):
            assert response.headers[name] == HEADERS[name], (method, name)
    assert HEADERS["Content-Type"] == "text/html; charset=utf-8"
    assert HEADERS["Referrer-Policy"] == "no-referrer"


def test_head_has_the_status_and_headers_of_get_but_no_body() -> None:
    store = FlakyStore("none", Exception())
    assert handle_approval("HEAD", TOKEN, store, SECRET, NOW).body == ""
    assert handle_approval("HEAD", "bad", store, SECRET, NOW).status == 400
    assert handle_approval("HEAD", "bad", store, SECRET, NOW).body == ""


def test_a_store_outage_is_a_retryable_page() -> None:
    store = FlakyStore("get_finding", StoreUnavailable("disk gone"))
    for method in ("GET", "POST"):
        response = handle_approval(method, TOKEN, store, SECRET, NOW)
        assert response.status == 503
        assert "store is unavailable" in response.body


def test_an_approval_that_cannot_be_recorded_fails_closed_and_says_how_to_recover() -> None:
    store = FlakyStore("add_approval", StoreUnavailable("throttled"))
    response = handle_approval("POST", TOKEN, store, SECRET, NOW)
    assert response.status == 503
    assert "ai-watchdog approve f-1" in response.body
    assert store.pending_approval("f-1", "delete", NOW) is None
    # The token is spent either way: a replay cannot double-approve after recovery.
    assert handle_approval("POST", TOKEN, store, SECRET, NOW).status == 410


def test_an_existing_approval_with_the_tokens_id_is_a_used_link() -> None:
    store = FlakyStore("add_approval", StoreConflict("exists"))
    assert handle_approval("POST", TOKEN, store, SECRET, NOW).status == 410


def test_a_misconfigured_secret_is_an_error_not_a_page() -> None:
    with pytest.raises(ValueError, match="WATCHDOG_LINK_SECRET"):
        handle_approval("GET", TOKEN, FlakyStore("none", Exception()), b"short", NOW)


def test_the_evidence_and_cost_read_plainly() -> None:
    unknown = Evidence(state="unknown", unknown_cause="no-metrics", detail="no datapoints")
    assert evidence_summary(unknown) == "unknown (no-metrics); no datapoints"
    facts = Evidence(facts={"b": "2", "a": "1"})
    assert evidence_summary(facts) == "not-measured; a: 1; b: 2"
    assert monthly_cost(finding(monthly_cost_usd=None, cost_basis="unknown")) == "unknown"

"""`GET /report/{token}`: the savings report for whoever holds a report link, read-only, for as
long as the link lasts; refused for any other token, a changed one, an expired one, a POST."""

from __future__ import annotations

from datetime import timedelta

from tests.functional.service.routes import LINK_SECRET, service_for
from tests.unit.evaluate.factories import NOW
from watchdog.approvals.tokens import issue_report_token, issue_token, link_secret
from watchdog.service.routes import Request, redact_tokens, route
from watchdog.store.base import Store

KEY = link_secret(LINK_SECRET)


def report_link(
    window: timedelta = timedelta(days=30), valid: timedelta = timedelta(days=7)
) -> str:
    return "/report/" + issue_report_token(KEY, window, NOW + valid)


def test_a_report_link_shows_the_report_as_it_stands(store: Store) -> None:
    response, work = route(service_for(store), Request("GET", report_link()), NOW)

    assert (response.status, work) == (200, [])
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "savings report" in response.body and "$100" in response.body  # f-1 at stake
    assert "<script" not in response.body


def test_it_works_as_often_as_wanted_until_it_expires(store: Store) -> None:
    service = service_for(store)
    path = report_link(valid=timedelta(hours=1))
    for _ in range(3):
        assert route(service, Request("GET", path), NOW)[0].status == 200
    expired, _ = route(service, Request("GET", path), NOW + timedelta(hours=1))
    assert expired.status == 410 and "expired" in expired.body


def test_head_answers_without_a_body_and_post_is_refused(store: Store) -> None:
    service = service_for(store)
    head, _ = route(service, Request("HEAD", report_link()), NOW)
    post, work = route(service, Request("POST", report_link()), NOW)
    assert (head.status, head.body) == (200, "")
    assert (post.status, post.headers["Allow"], work) == (405, "GET, HEAD", [])


def test_an_approval_token_or_a_changed_one_never_opens_it(store: Store) -> None:
    service = service_for(store)
    approval = issue_token(KEY, "f-1", "delete", NOW + timedelta(hours=1))
    good = report_link()
    changed = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    assert route(service, Request("GET", "/report/" + approval), NOW)[0].status == 403
    assert route(service, Request("GET", changed), NOW)[0].status == 403
    assert route(service, Request("GET", "/report/not-a-token"), NOW)[0].status == 404
    as_approval, _ = route(service, Request("GET", "/approve" + good.removeprefix("/report")), NOW)
    assert as_approval.status == 400 and "was not issued by this watchdog" in as_approval.body


def test_without_a_link_secret_report_links_are_off(store: Store) -> None:
    response, _ = route(service_for(store, link_secret=None), Request("GET", report_link()), NOW)
    assert response.status == 404 and "WATCHDOG_LINK_SECRET" in response.body


def test_a_report_token_is_redacted_in_logs() -> None:
    path = report_link()
    assert path.split("/")[2] not in redact_tokens(f"GET {path}")

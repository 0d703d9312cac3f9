"""The routes past the signature check: snooze and exempt clicks, approval links (which Slack's
unfurler must not approve), health, metrics, unknown paths, Socket Mode clicks."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import boto3
import pytest
from watchdog_sandbox.slack_api import SlackApi
from watchdog_sandbox.slack_clicks import block_actions, button, signed_request

from tests.functional.service.routes import (
    ALICE,
    BOB,
    CHANNEL,
    PUBLIC_URL,
    RESPONSE_URL,
    SIGNING_SECRET,
    SLACK_UNFURLER,
    TS,
    click,
    clicked,
    link,
    nothing_recorded,
    service_for,
    state,
)
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.notify.blocks import finding_message
from watchdog.notify.notifier import notify
from watchdog.notify.slack import BotSender
from watchdog.records import ResourceRecord
from watchdog.service.clicks import answer_payload
from watchdog.service.routes import Request, route
from watchdog.service.work import Work
from watchdog.store.base import Store


def test_snooze_snoozes_for_the_default_seven_days_and_returns_an_update(store: Store) -> None:
    response, work = route(service_for(store), click("snooze"), NOW)

    assert response.status == 200
    stored = store.get_finding("f-1")
    assert stored is not None
    assert (stored.state, stored.state_until) == ("snoozed", NOW + timedelta(days=7))
    assert stored.state_detail == f"snoozed by slack:{ALICE} for 7 days"
    assert work == [
        Work(task="update", finding_id="f-1", user=f"slack:{ALICE}", response_url=RESPONSE_URL)
    ]
    assert store.pending_approval("f-1", "delete", NOW) is None


def test_snooze_uses_the_days_its_button_shows(store: Store) -> None:
    response, work = route(service_for(store), click("snooze", snooze_days=3), NOW)

    assert response.status == 200 and [w.task for w in work] == ["update"]
    stored = store.get_finding("f-1")
    assert stored is not None
    assert (stored.state, stored.state_until) == ("snoozed", NOW + timedelta(days=3))
    assert stored.state_detail == f"snoozed by slack:{ALICE} for 3 days"


def test_exempt_defers_the_tagging_to_the_work(aws: None, store: Store) -> None:
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    arn = sagemaker.create_notebook_instance(
        NotebookInstanceName="nb",
        InstanceType="ml.t2.medium",
        RoleArn="arn:aws:iam::123456789012:role/x",
    )["NotebookInstanceArn"]
    record = ResourceRecord(
        kind="sagemaker-notebook-instance",
        arn=arn,
        name="nb",
        account="123456789012",
        region="us-east-1",
        status="InService",
    )
    store.save_findings("r-2", [finding(resource=record, action="stop", steps=())], NOW)

    response, work = route(service_for(store), click("exempt", action="stop"), NOW)

    assert response.status == 200
    assert work == [
        Work(task="exempt", finding_id="f-1", user=f"slack:{ALICE}", response_url=RESPONSE_URL)
    ]
    assert "watchdog:exempt" not in {t["Key"] for t in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    assert state(store) == "open"


def test_snooze_or_exempt_on_a_finished_finding_is_refused(store: Store) -> None:
    store.set_finding_state("f-1", "done", "deleted", NOW - timedelta(minutes=1))

    for action_id in ("snooze", "exempt"):
        response, work = route(service_for(store), click(action_id), NOW)

        assert response.status == 200 and [w.task for w in work] == ["reply"]
        assert work[0].text == "finding f-1 is already done"
    assert state(store) == "done"


def test_the_review_buttons_click_needs_nothing(store: Store) -> None:
    service = service_for(store)
    message = finding_message(finding(), review_url=PUBLIC_URL + "/approve/x")
    review = button(message.blocks, "review")
    payload = block_actions(review, ALICE, CHANNEL, TS, RESPONSE_URL)
    headers, body = signed_request(payload, SIGNING_SECRET, at=NOW.timestamp())

    response, work = route(service, Request("POST", "/slack/interactions", headers, body), NOW)

    assert response.status == 200 and work == []
    assert nothing_recorded(store)


def test_slacks_unfurler_fetching_the_link_changes_nothing(store: Store) -> None:
    service = service_for(store)
    path = f"/approve/{link()}"
    unfurler = {"User-Agent": SLACK_UNFURLER}

    for method in ("GET", "HEAD", "GET"):
        response, work = route(service, Request(method, path, unfurler), NOW)

        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert work == []
        assert nothing_recorded(store)
    page, _ = route(service, Request("GET", path, unfurler), NOW)
    assert "Approve delete" in page.body
    head, _ = route(service, Request("HEAD", path, unfurler), NOW)
    assert head.body == ""

    # The token was not used up: the person's confirm still approves.
    response, work = route(service, Request("POST", path), NOW)
    assert response.status == 200
    assert work == [Work(task="execute", finding_id="f-1", user="link")]


def test_the_confirm_post_approves_once(store: Store) -> None:
    service = service_for(store)
    path = f"/approve/{link()}"

    response, work = route(service, Request("POST", path), NOW)

    assert response.status == 200
    approval = store.pending_approval("f-1", "delete", NOW)
    assert approval is not None and (approval.approver, approval.via) == ("link", "link")
    assert state(store) == "approved"
    assert work == [Work(task="execute", finding_id="f-1", user="link")]

    again, more = route(service, Request("POST", path), NOW + timedelta(seconds=1))

    assert again.status == 410 and more == []
    assert "already been used" in again.body


def test_the_review_link_a_message_carries_is_answered_by_the_route(store: Store) -> None:
    service = service_for(store)
    links = service.notify_options.links
    stored = store.get_finding("f-1")
    assert links is not None and stored is not None
    url = links.url(stored, NOW)
    assert url is not None and url.startswith(f"{PUBLIC_URL}/approve/")

    response, work = route(service, Request("GET", urlsplit(url).path), NOW)

    assert response.status == 200 and "Approve delete" in response.body and work == []


def test_a_refused_link_post_returns_no_work(store: Store) -> None:
    service = service_for(store)
    store.save_findings("r-2", [finding(action="stop")], NOW - timedelta(minutes=5))

    response, work = route(service, Request("POST", f"/approve/{link()}"), NOW)

    assert response.status == 409 and work == []
    assert nothing_recorded(store)


def test_with_approval_links_off_the_route_is_404_naming_the_setting(store: Store) -> None:
    service = service_for(store, link_secret=None)

    for method in ("GET", "POST"):
        response, work = route(service, Request(method, f"/approve/{link()}"), NOW)

        assert response.status == 404
        assert "WATCHDOG_LINK_SECRET" in response.body
        assert work == []
    assert nothing_recorded(store)


# -- the rest


def test_healthz_answers_ok(store: Store) -> None:
    service = service_for(store)
    for method in ("GET", "HEAD"):
        response, work = route(service, Request(method, "/healthz"), NOW)
        assert (response.status, response.body, work) == (200, "ok", [])


def test_interactions_take_post_only(store: Store) -> None:
    response, work = route(service_for(store), Request("GET", "/slack/interactions"), NOW)

    assert response.status == 405 and response.headers["Allow"] == "POST" and work == []


def test_an_unknown_path_is_404(store: Store) -> None:
    response, work = route(service_for(store), Request("GET", "/admin"), NOW)

    assert response.status == 404 and work == []


def test_metrics_are_served_only_where_the_host_has_them(store: Store) -> None:
    service = service_for(store)

    without, _ = route(service, Request("GET", "/metrics"), NOW)
    with_metrics, work = route(
        service, Request("GET", "/metrics"), NOW, metrics=lambda: "watchdog_cycles_total 3\n"
    )

    assert without.status == 404
    assert (with_metrics.status, with_metrics.body, work) == (200, "watchdog_cycles_total 3\n", [])
    assert with_metrics.headers["Content-Type"].startswith("text/plain; version=0.0.4")


# -- Socket Mode clicks (no signature: the connection is authenticated)


def test_a_socket_mode_click_is_answered_like_a_signed_one(store: Store) -> None:
    service = service_for(store, slack_approvers=ALICE)
    payload = block_actions(clicked("approve"), BOB, CHANNEL, TS, RESPONSE_URL)

    refused = answer_payload(service, payload, NOW)

    assert [w.task for w in refused] == ["reply"] and nothing_recorded(store)

    payload = block_actions(clicked("approve"), ALICE, CHANNEL, TS, RESPONSE_URL)

    assert [w.task for w in answer_payload(service, payload, NOW)] == ["execute"]
    assert state(store) == "approved"


@pytest.mark.parametrize(
    "payload", [None, "text", {"type": "view_submission"}, {"type": "block_actions"}]
)
def test_a_socket_mode_payload_that_is_not_a_click_does_nothing(
    store: Store, payload: object
) -> None:
    assert answer_payload(service_for(store), payload, NOW) == []
    assert nothing_recorded(store)


# -- known bugs


@pytest.mark.parametrize(
    "timestamp, signature",
    [("abc", None), ("", None), ("1.5", None), (None, "v0=\u00e9")],
    ids=["word", "empty", "decimal", "non-ascii-signature"],
)
def test_a_garbled_signature_header_is_401_not_a_crash(
    store: Store, timestamp: str | None, signature: str | None
) -> None:
    request = click("approve")
    headers = dict(request.headers)
    if timestamp is not None:
        headers["X-Slack-Request-Timestamp"] = timestamp
    if signature is not None:
        headers["X-Slack-Signature"] = signature

    response, work = route(
        service_for(store), Request("POST", request.path, headers, request.body), NOW
    )

    assert response.status == 401 and work == []
    assert nothing_recorded(store)


def test_with_an_allowlist_the_message_offers_no_way_around_it(
    store: Store, slack: SlackApi
) -> None:
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=ALICE)
    assert service.sender is not None
    options = replace(service.notify_options, default_channel=CHANNEL)
    assert notify(store, service.sender, options, NOW, run_id="r-1").posted == 1
    (message,) = slack.messages()
    urls = [
        str(element["url"])
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if "url" in element
    ]

    # Bob is not an approver; his Approve click is refused...
    _, refused = route(service, click("approve", user=BOB), NOW)
    assert [w.task for w in refused] == ["reply"]
    # ...and neither may any link the message shows him approve.
    for url in urls:
        route(service, Request("POST", urlsplit(url).path), NOW)

    assert nothing_recorded(store)

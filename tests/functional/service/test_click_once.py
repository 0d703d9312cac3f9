"""Each click acts once (#14 item 6): the same signed request replayed within Slack's 5-minute
signature window, to this process or a restarted one, or a Socket Mode click sent twice, is
told it was handled and records nothing more."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from watchdog_sandbox.slack_clicks import block_actions

from tests.functional.service.routes import (
    ALICE,
    BOB,
    CHANNEL,
    RESPONSE_URL,
    TS,
    click,
    clicked,
    service_for,
    state,
)
from tests.unit.evaluate.factories import NOW
from watchdog.service.clicks import answer_payload
from watchdog.service.routes import route
from watchdog.store.base import Store
from watchdog.store.sqlite import SqliteStore


def test_a_replayed_approve_click_records_one_approval_and_is_told_so(store: Store) -> None:
    service = service_for(store)
    request = click("approve")

    first, work = route(service, request, NOW)
    # The very same signed request, still inside Slack's five minutes.
    again, replayed = route(service, request, NOW + timedelta(seconds=40))

    assert (first.status, [w.task for w in work]) == (200, ["execute"])
    assert again.status == 200 and [w.task for w in replayed] == ["reply"]
    assert replayed[0].text == "That click was already handled; nothing more was done."
    assert store.consume_approval("f-1", "delete", NOW + timedelta(minutes=1)) is not None
    assert store.consume_approval("f-1", "delete", NOW + timedelta(minutes=1)) is None


def test_a_replay_is_refused_by_a_restarted_daemon_too(store: Store, tmp_path: Path) -> None:
    request = click("snooze")
    route(service_for(store), request, NOW)
    store.set_finding_state("f-1", "open", "reopened for the test", NOW)

    reopened = SqliteStore(tmp_path / "watchdog.db")
    try:
        _, replayed = route(service_for(reopened), request, NOW + timedelta(minutes=4))
    finally:
        reopened.close()

    assert [w.task for w in replayed] == ["reply"] and state(store) == "open"


def test_a_socket_mode_click_sent_twice_acts_once(store: Store) -> None:
    payload = block_actions(clicked("approve"), ALICE, CHANNEL, TS, RESPONSE_URL)

    assert [w.task for w in answer_payload(service_for(store), payload, NOW)] == ["execute"]
    replayed = answer_payload(service_for(store), payload, NOW + timedelta(seconds=1))

    assert [w.task for w in replayed] == ["reply"]
    assert store.consume_approval("f-1", "delete", NOW) is not None
    assert store.consume_approval("f-1", "delete", NOW) is None


def test_two_clicks_by_two_people_are_two_clicks(store: Store) -> None:
    service = service_for(store)

    _, first = route(service, click("snooze", user=ALICE), NOW)
    _, second = route(service, click("snooze", user=BOB), NOW)

    assert [w.task for w in first + second] == ["update", "update"]

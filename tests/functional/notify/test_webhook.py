"""The webhook channel against a local receiver that verifies every signature: one event per
change and never twice, retries within the cycle's time budget (5xx, 429 with Retry-After, no
connection), what is not delivered told on the next cycle with the same event id, a 4xx final."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.functional.notify.webhook_receiver import SECRET, Receiver, Reply, event_ids, running
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.notify.outbound import ChannelResult, tell
from watchdog.notify.webhook import WebhookChannel
from watchdog.notify.webhook_signing import SIGNATURE, TIMESTAMP, verify
from watchdog.store.base import FindingState, Store
from watchdog.store.sqlite import SqliteStore

FINDINGS = ("f-a", "f-b")


class FakeTimer:
    """Wall time from now on, moved only by sleeping: backoff takes no real time."""

    def __init__(self) -> None:
        self.start = time.time()
        self.elapsed = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.start + self.elapsed

    def monotonic(self) -> float:
        return self.elapsed

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.elapsed += seconds


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    opened.save_findings("r-1", [finding(id=f) for f in FINDINGS], NOW)
    yield opened
    opened.close()


@pytest.fixture
def timer() -> FakeTimer:
    return FakeTimer()


@pytest.fixture
def receiver(timer: FakeTimer) -> Iterator[Receiver]:
    with running(Receiver(now=timer.time)) as serving:
        yield serving


def webhook(url: str, timer: FakeTimer, budget: float = 5.0) -> WebhookChannel:
    return WebhookChannel(url, SECRET, timer=timer, budget=budget, jitter=lambda: 1.0)


def cycle(store: Store, channel: WebhookChannel, hours: float = 0) -> ChannelResult:
    return tell(store, channel, NOW + timedelta(hours=hours), current=lambda _: True)


def test_each_change_is_one_signed_event_and_is_never_sent_twice(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    channel = webhook(receiver.url, timer)

    assert cycle(store, channel).sent == 2
    assert cycle(store, channel, hours=1).sent == 0  # nothing changed: nothing sent
    store.set_finding_state("f-a", "approved", "slack:U0ALICE001", NOW + timedelta(hours=2))
    assert cycle(store, channel, hours=3).sent == 1

    assert all(r.verified for r in receiver.received)
    events = receiver.events()
    assert [(e["type"], e["finding"]["id"]) for e in events] == [
        ("finding.opened", "f-a"),
        ("finding.opened", "f-b"),
        ("finding.approved", "f-a"),
    ]
    approved = events[2]
    assert approved["previous_type"] == "finding.opened"
    assert approved["finding"]["state_detail"] == "slack:U0ALICE001"
    assert event_ids(receiver) == [e["id"] for e in events]
    assert len(set(event_ids(receiver))) == 3
    assert timer.sleeps == []


def test_a_5xx_is_retried_with_backoff_within_the_cycle(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    receiver.answer(Reply(500), Reply(502))

    result = cycle(store, webhook(receiver.url, timer))

    assert (result.sent, result.failed, result.calls) == (2, [], 4)
    assert timer.sleeps == [0.25, 0.5]  # doubling, jitter at its top
    first = receiver.received[:3]
    assert [r.status for r in first] == [500, 502, 204]
    assert len({r.body for r in first}) == 1 and len(set(event_ids(receiver)[:3])) == 1


def test_a_429_is_retried_after_its_retry_after(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    receiver.answer(Reply(429, {"Retry-After": "2"}))

    result = cycle(store, webhook(receiver.url, timer))

    assert (result.sent, result.calls) == (2, 3)
    assert timer.sleeps == [2.0]
    assert [e["finding"]["id"] for e in receiver.events()] == list(FINDINGS)


def test_no_connection_fails_the_cycle_quickly_and_the_next_one_delivers(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{closed.getsockname()[1]}/hook"

    result = cycle(store, webhook(refused, timer))

    assert result.sent == 0 and result.calls == 4  # four tries of the first, none of the rest
    assert result.failed[0].startswith("f-a: connection failed: ")
    assert result.failed[0].endswith("after 4 tries")
    assert (
        result.failed[1] == "f-b: not sent, 127.0.0.1 did not take the previous event; next cycle"
    )
    assert cycle(store, webhook(receiver.url, timer), hours=1).sent == 2


def test_a_spent_budget_leaves_the_rest_to_the_next_cycle_with_the_same_ids(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    busy = {"Retry-After": "1"}
    receiver.answer(Reply(503, busy), Reply(503, busy))

    result = cycle(store, webhook(receiver.url, timer, budget=1.5))

    assert result.sent == 0
    assert result.failed == [
        "f-a: HTTP 503 (Retry-After 1); no time left to retry",
        "f-b: not sent, 127.0.0.1 did not take the previous event; next cycle",
    ]
    assert timer.sleeps == [1.0]
    tried = event_ids(receiver)[0]

    again = cycle(store, webhook(receiver.url, timer, budget=1.5), hours=1)

    assert (again.sent, again.failed) == (2, [])
    assert receiver.events()[0]["id"] == tried  # a receiver can tell the repeat


def test_a_4xx_is_not_retried_and_the_next_change_still_goes(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    receiver.answer(Reply(400))

    result = cycle(store, webhook(receiver.url, timer))

    assert (result.sent, result.failed, result.calls) == (1, ["f-a: HTTP 400"], 2)
    assert timer.sleeps == []
    assert cycle(store, webhook(receiver.url, timer), hours=1).sent == 1  # f-a, next cycle


def test_a_receiver_whose_clock_is_off_refuses_the_event(store: Store, timer: FakeTimer) -> None:
    with running(Receiver(now=lambda: timer.time() + 301)) as skewed:
        result = cycle(store, webhook(skewed.url, timer))

    assert result.sent == 0 and result.failed[0] == "f-a: HTTP 401"
    assert [r.verified for r in skewed.received] == [False, False]


def test_the_verifier_refuses_a_tampered_body_and_a_stale_timestamp(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    cycle(store, webhook(receiver.url, timer))
    sent = receiver.received[0]
    stamp, signature = sent.headers[TIMESTAMP.lower()], sent.headers[SIGNATURE.lower()]
    now = timer.time()

    assert verify(SECRET, stamp, sent.body, signature, now)
    tampered = sent.body.replace(b'"action":"delete"', b'"action":"notify"')
    assert tampered != sent.body
    assert not verify(SECRET, stamp, tampered, signature, now)
    assert not verify(SECRET, str(int(stamp) + 1), sent.body, signature, now)
    assert not verify(SECRET, stamp, sent.body, signature, now + 301)
    assert not verify("another-secret-" + "x" * 32, stamp, sent.body, signature, now)


def test_event_ids_are_stable_per_change_and_new_for_a_change_made_again(
    store: Store, receiver: Receiver, timer: FakeTimer
) -> None:
    receiver.answer(Reply(400))  # f-a's announcement is refused once: sent again next cycle
    channel = webhook(receiver.url, timer)
    cycle(store, channel)
    cycle(store, channel, hours=1)
    refused, *_, resent = [r for r in receiver.received if r.event["finding"]["id"] == "f-a"]
    assert refused.event["id"] == resent.event["id"] and resent.status == 204

    moves: list[tuple[int, FindingState]] = [(2, "approved"), (3, "open"), (4, "approved")]
    for hours, state in moves:
        store.set_finding_state("f-a", state, "", NOW + timedelta(hours=hours))
        cycle(store, channel, hours=hours)

    approvals = [e["id"] for e in receiver.events() if e["type"] == "finding.approved"]
    assert len(approvals) == 2 and approvals[0] != approvals[1]


def test_a_hanging_receiver_never_holds_the_cycle_past_its_budget(store: Store) -> None:
    with running() as slow:
        slow.answer(*[Reply(hang=5.0)] * 4)
        channel = WebhookChannel(slow.url, SECRET, timeout=0.2, budget=0.5)
        started = time.monotonic()
        result = cycle(store, channel)
        took = time.monotonic() - started

    assert took < 2.0, took
    assert result.sent == 0 and len(result.failed) == 2
    assert "timed out" in result.failed[0]

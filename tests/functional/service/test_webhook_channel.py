"""The webhook as the service runs it: made from the settings by `tell_channels`, it tells a
finding the cycle found, with its signed Review link, once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.functional.notify.webhook_receiver import SECRET, Receiver, running
from tests.functional.service.routes import PUBLIC_URL, service_for
from watchdog.service.channels import tell_channels
from watchdog.service.digest import send_digest
from watchdog.store.base import Store


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running() as serving:
        yield serving


def test_the_configured_webhook_hears_of_the_cycle_s_finding_once(
    store: Store, receiver: Receiver
) -> None:
    service = service_for(store, webhook_url=receiver.url, webhook_secret=SECRET)
    service.loaded_policies = []

    first = tell_channels(service, run_id="r-1")
    second = tell_channels(service, run_id="r-1")

    assert first["webhook"].sent == 1 and first["webhook"].failed == []
    assert second["webhook"].sent == 0
    assert [r.verified for r in receiver.received] == [True]
    (event,) = receiver.events()
    assert (event["type"], event["finding"]["id"]) == ("finding.opened", "f-1")
    assert event["links"]["review"].startswith(f"{PUBLIC_URL}/approve/")
    assert event["links"]["resume"] is None


def test_without_its_url_the_webhook_is_not_made(store: Store) -> None:
    service = service_for(store)
    service.loaded_policies = []

    assert "webhook" not in tell_channels(service, run_id="r-1")


def test_the_weekly_digest_is_one_signed_event_a_week(store: Store, receiver: Receiver) -> None:
    service = service_for(store, webhook_url=receiver.url, webhook_secret=SECRET)

    first = send_digest(service, "daemon-1")
    again = send_digest(service, "daemon-1")

    assert first.sent == ["webhook"] and again.sent == []
    assert [r.verified for r in receiver.received] == [True]
    (event,) = receiver.events()
    assert event["type"] == "digest.weekly" and event["schema_version"] == 1
    assert event["digest"]["at_stake_usd"] == 100.0
    assert event["digest"]["report_url"].startswith(f"{PUBLIC_URL}/report/")

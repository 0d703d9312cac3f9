"""Snooze and Exempt obey the approver allowlist as Approve does: one rule for everything a
person can do (design.md, safety rules)."""

from __future__ import annotations

import pytest

from tests.functional.service.test_routes import ALICE, BOB, click, service_for, state, store
from tests.unit.evaluate.factories import NOW
from watchdog.service.routes import route
from watchdog.store.base import Store

__all__ = ["store"]


@pytest.mark.parametrize("button", ["snooze", "exempt"])
def test_someone_outside_the_allowlist_cannot_snooze_or_exempt(store: Store, button: str) -> None:
    service = service_for(store, slack_approvers=ALICE)

    response, work = route(service, click(button, user=BOB), NOW)

    assert response.status == 200
    assert [w.task for w in work] == ["reply"]
    assert work[0].text == f"<@{BOB}> is not among the approvers for teardowns"
    assert state(store) == "open"


def test_someone_on_the_allowlist_still_snoozes(store: Store) -> None:
    service = service_for(store, slack_approvers=ALICE)

    _, work = route(service, click("snooze", user=ALICE), NOW)

    assert [w.task for w in work] == ["update"] and state(store) == "snoozed"

"""One authorization rule for every button (approvals.authorize): Snooze and Exempt obey the
approver allowlist as Approve does, user ids and user groups are never confused, and a snooze
holds back an approval only when an approver gave it (design.md, safety rules)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.functional.service.routes import (
    ALICE,
    APPROVERS,
    BOB,
    click,
    service_for,
    state,
)
from tests.unit.evaluate.factories import NOW
from watchdog.act.admission import not_ready
from watchdog.notify.slack import BotSender
from watchdog.service.routes import route
from watchdog.store.base import Store

CAROL = "U0CAROL001"  # in the APPROVERS user group, named nowhere else


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


@pytest.mark.parametrize("button", ["approve", "snooze", "exempt"])
def test_a_user_whose_id_equals_a_listed_group_id_is_not_that_group(
    store: Store, slack: SlackApi, button: str
) -> None:
    # The allowlist names a group; a clicker whose own id is spelled like it is not a member.
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=APPROVERS)

    response, work = route(service, click(button, user=APPROVERS), NOW)

    assert response.status == 200 and [w.task for w in work] == ["reply"]
    assert work[0].text == f"<@{APPROVERS}> is not among the approvers for teardowns"
    assert state(store) == "open" and store.pending_approval("f-1", "delete", NOW) is None


def test_a_user_group_member_snoozes_and_an_outsider_is_refused_through_the_group(
    store: Store, slack: SlackApi
) -> None:
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=APPROVERS)

    _, refused = route(service, click("snooze", user=BOB), NOW)
    assert [w.task for w in refused] == ["reply"] and state(store) == "open"

    _, work = route(service, click("snooze", user=CAROL), NOW)
    assert [w.task for w in work] == ["update"] and state(store) == "snoozed"


def test_an_approvers_approval_is_not_held_back_by_a_non_approvers_snooze(
    store: Store, slack: SlackApi
) -> None:
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=APPROVERS)
    _, approved = route(service, click("approve", user=ALICE), NOW)
    assert [w.task for w in approved] == ["execute"]

    _, refused = route(service, click("snooze", user=BOB), NOW + timedelta(seconds=5))

    assert [w.task for w in refused] == ["reply"]
    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "approved"
    assert store.pending_approval("f-1", "delete", NOW) is not None
    # What apply asks before starting the teardown: nothing holds it back.
    assert not_ready(stored.finding, stored) is None


def test_an_approvers_snooze_does_hold_back_an_approval(store: Store, slack: SlackApi) -> None:
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=APPROVERS)
    route(service, click("approve", user=ALICE), NOW)

    _, work = route(service, click("snooze", user=CAROL), NOW + timedelta(seconds=5))

    assert [w.task for w in work] == ["update"]
    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "snoozed"
    assert not_ready(stored.finding, stored) == (
        "waiting",
        f"snoozed: snoozed by slack:{CAROL} for 7 days",
    )

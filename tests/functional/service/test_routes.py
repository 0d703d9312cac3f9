"""The HTTP routes the daemon and the Lambda share, on a real SQLite store: only a genuine,
fresh Slack signature or an approval link's confirm POST records anything, and each answer
hands back exactly the work to do after it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.functional.service.routes import (
    ALICE,
    APPROVERS,
    BOB,
    RESPONSE_URL,
    SPOILED,
    click,
    nothing_recorded,
    service_for,
    signed,
    state,
)
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.notify.slack import BotSender
from watchdog.service.routes import route
from watchdog.service.work import Work
from watchdog.store.base import Store
from watchdog.store.sqlite import SqliteStore


@pytest.mark.parametrize("spoiled", SPOILED)
def test_a_click_without_a_good_fresh_signature_is_401_and_records_nothing(
    store: Store, spoiled: str
) -> None:
    response, work = route(service_for(store), SPOILED[spoiled](), NOW)

    assert response.status == 401
    assert "signature" in response.body
    assert work == []
    assert nothing_recorded(store)


def test_a_signature_just_under_five_minutes_old_still_counts(store: Store) -> None:
    at = (NOW - timedelta(minutes=4, seconds=59)).timestamp()

    response, work = route(service_for(store), click("approve", at=at), NOW)

    assert response.status == 200 and [w.task for w in work] == ["execute"]


@pytest.mark.parametrize(
    "body", ["payload=%7Bnot-json", "nothing=here", 'payload={"type":"view_submission"}']
)
def test_a_signed_body_that_is_not_a_click_is_400_and_records_nothing(
    store: Store, body: str
) -> None:
    response, work = route(service_for(store), signed(body), NOW)

    assert response.status == 400 and work == []
    assert nothing_recorded(store)


def test_without_a_signing_secret_clicks_are_404_naming_the_setting(store: Store) -> None:
    service = service_for(store, slack_signing_secret=None)

    response, work = route(service, click("approve"), NOW)

    assert response.status == 404 and "WATCHDOG_SLACK_SIGNING_SECRET" in response.body
    assert work == [] and nothing_recorded(store)


# -- Approve


def test_a_signed_approve_click_records_the_approval_and_returns_one_execute(
    store: Store,
) -> None:
    response, work = route(service_for(store), click("approve"), NOW)

    assert (response.status, response.body) == (200, "")
    approval = store.pending_approval("f-1", "delete", NOW)
    assert approval is not None
    assert (approval.approver, approval.via) == (f"slack:{ALICE}", "slack")
    assert approval.expires_at == NOW + timedelta(hours=24)
    stored = store.get_finding("f-1")
    assert stored is not None and stored.state == "approved"
    assert stored.state_detail == f"approved by slack:{ALICE} via slack"
    assert work == [
        Work(task="execute", finding_id="f-1", user=f"slack:{ALICE}", response_url=RESPONSE_URL)
    ]


def test_an_approver_outside_the_allowlist_is_told_so_and_nothing_is_recorded(
    store: Store,
) -> None:
    service = service_for(store, slack_approvers=ALICE)

    response, work = route(service, click("approve", user=BOB), NOW)

    assert response.status == 200
    assert nothing_recorded(store)
    assert len(work) == 1
    assert (work[0].task, work[0].finding_id, work[0].response_url) == (
        "reply",
        "f-1",
        RESPONSE_URL,
    )
    assert work[0].text is not None and f"<@{BOB}>" in work[0].text
    assert "not among the approvers" in work[0].text

    response, work = route(service, click("approve", user=ALICE), NOW)

    assert response.status == 200 and [w.task for w in work] == ["execute"]
    assert state(store) == "approved"


def test_a_member_of_an_allowlisted_user_group_may_approve(store: Store, slack: SlackApi) -> None:
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=APPROVERS)

    response, work = route(service, click("approve", user=ALICE), NOW)

    assert response.status == 200 and [w.task for w in work] == ["execute"]
    approval = store.pending_approval("f-1", "delete", NOW)
    assert approval is not None and approval.approver == f"slack:{ALICE}"
    assert state(store) == "approved"
    lookups = [c for c in slack.calls if c.method == "usergroups.users.list"]
    assert [c.params.get("usergroup") for c in lookups] == [APPROVERS]


def test_someone_outside_the_allowlisted_group_is_refused(store: Store, slack: SlackApi) -> None:
    service = service_for(store, BotSender(slack.token, slack.api_url), slack_approvers=APPROVERS)

    response, work = route(service, click("approve", user=BOB), NOW)

    assert response.status == 200 and [w.task for w in work] == ["reply"]
    assert work[0].text is not None and "not among the approvers" in work[0].text
    assert nothing_recorded(store)


def test_a_user_named_directly_costs_no_group_lookup(store: Store, slack: SlackApi) -> None:
    sender = BotSender(slack.token, slack.api_url)
    service = service_for(store, sender, slack_approvers=f"{BOB},{APPROVERS}")

    response, work = route(service, click("approve", user=BOB), NOW)

    assert response.status == 200 and [w.task for w in work] == ["execute"]
    assert slack.calls == [] and sender.calls == 0


def test_an_unreadable_user_group_lets_nobody_in_through_it(store: Store, slack: SlackApi) -> None:
    sender = BotSender(slack.token, slack.api_url)
    service = service_for(store, sender, slack_approvers="S0GONE0001")

    response, work = route(service, click("approve", user=ALICE), NOW)

    assert response.status == 200 and [w.task for w in work] == ["reply"]
    assert nothing_recorded(store)


def test_approve_on_a_finding_whose_action_changed_approves_nothing(store: Store) -> None:
    store.save_findings("r-2", [finding(action="stop")], NOW - timedelta(minutes=5))

    # The message still shows the delete; the finding now asks to stop.
    response, work = route(service_for(store), click("approve", action="delete"), NOW)

    assert response.status == 200
    assert nothing_recorded(store)
    assert [w.task for w in work] == ["reply"]
    assert work[0].text == "finding f-1 now asks to stop, not to delete: nothing was approved"


def test_approve_on_a_finding_the_store_does_not_know_approves_nothing(tmp_path: Path) -> None:
    empty = SqliteStore(tmp_path / "empty.db")
    try:
        response, work = route(service_for(empty), click("approve"), NOW)
    finally:
        empty.close()

    assert response.status == 200 and [w.task for w in work] == ["reply"]
    assert work[0].text == "no finding f-1 in the store"


def test_approve_on_a_finding_already_running_approves_nothing(store: Store) -> None:
    store.set_finding_state("f-1", "executing", "approved by slack:U0X", NOW)

    response, work = route(service_for(store), click("approve"), NOW)

    assert response.status == 200 and [w.task for w in work] == ["reply"]
    assert work[0].text is not None and "already executing" in work[0].text
    assert store.pending_approval("f-1", "delete", NOW) is None


# -- Snooze and Exempt

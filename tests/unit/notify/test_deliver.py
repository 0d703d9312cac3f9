"""Which Slack messages a run sends: each finding is posted once, a message whose finding has
moved on is edited once, and a finding that comes back after it ended gets a fresh message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.unit.evaluate.factories import NOW
from tests.unit.notify.deliveries import (
    ALLOWED,
    DEFAULT,
    RUN,
    messages,
    showing_now,
    shown,
    stored,
)
from watchdog.notify.deliver import (
    WEBHOOK_CHANNEL,
    Post,
    Route,
    Update,
    plan_deliveries,
    route,
    status_line,
)
from watchdog.store.base import FindingState

NOT_ALLOWED = "(not a channel alerts may go to)"


# Routing: where a finding's owner sends its message.


@pytest.mark.parametrize(
    ("owner", "expected"),
    [
        # A channel the watchdog may post to (WATCHDOG_SLACK_CHANNELS): by id or bare name.
        ("ml-team", Route("ml-team")),
        ("#ml-team", Route("ml-team")),
        ("C0123ABCD", Route("C0123ABCD")),
        # Any other channel: the default channel, naming the owner - a tag must not choose
        # where a deletion is approved.
        ("#any-channel", Route(DEFAULT, mention=f"#any-channel {NOT_ALLOWED}")),
        ("C9999ZZZZ", Route(DEFAULT, mention=f"C9999ZZZZ {NOT_ALLOWED}")),
        ("other-team", Route(DEFAULT, mention="other-team")),
        ("U0123ABCD", Route(DEFAULT, mention="<@U0123ABCD>")),
        ("ana@example.com", Route(DEFAULT, mention="ana@example.com", email="ana@example.com")),
        ("team ml-platform", Route(DEFAULT, mention="team ml-platform")),
        (None, Route(DEFAULT)),
    ],
)
def test_the_owner_picks_an_allowed_channel_or_who_is_mentioned(
    owner: str | None, expected: Route
) -> None:
    assert route(owner, DEFAULT, ALLOWED) == expected


def test_an_owner_is_text_never_markup() -> None:
    assert route("<!channel> <http://evil|click>", DEFAULT) == Route(
        DEFAULT, mention="&lt;!channel&gt; &lt;http://evil|click&gt;"
    )
    assert route("a&b@example.com", DEFAULT).mention == "a&amp;b@example.com"


def test_without_an_owner_or_a_default_channel_there_is_nowhere_to_post() -> None:
    assert route(None, None) == Route(None)
    # An owner naming an allowed channel needs no default.
    assert route("#ml-team", None, ALLOWED) == Route("ml-team")
    assert route("#ml-team", None) == Route(None, mention=f"#ml-team {NOT_ALLOWED}")


# The status line a message shows once its finding has moved on.


def test_an_open_finding_has_no_status_line() -> None:
    assert status_line(stored(state="open")) is None


def test_a_slack_approver_is_shown_as_a_mention_with_the_time_in_utc() -> None:
    approved = stored(
        state="approved",
        detail="approved by slack:U0123ABCD via slack",
        changed_at=NOW + timedelta(minutes=5, seconds=42),
    )

    assert status_line(approved) == (
        ":white_check_mark: Approved - approved by <@U0123ABCD> via slack - 2026-11-24 12:05 UTC"
    )


def test_a_snooze_shows_until_when() -> None:
    snoozed = stored(state="snoozed", detail="by ana", until=NOW + timedelta(days=7))

    line = status_line(snoozed)

    assert line == ":zzz: Snoozed - by ana - 2026-11-24 12:00 UTC, until 2026-12-01 12:00 UTC"


def test_a_state_without_detail_shows_just_the_state_and_time() -> None:
    assert status_line(stored(state="resolved")) == ":sparkles: Resolved - 2026-11-24 12:00 UTC"


# Posting: each finding once.


def test_a_new_finding_made_by_this_run_is_posted_once() -> None:
    new = stored()

    plan = plan_deliveries([new], {}, run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == [Post(DEFAULT, (new,))]
    assert plan.updates == [] and plan.skipped == []


@pytest.mark.parametrize("state", ["open", "approved", "snoozed"])
def test_a_finding_whose_message_shows_its_state_is_neither_posted_nor_updated(
    state: FindingState,
) -> None:
    same = stored(state=state, detail="by ana", until=NOW + timedelta(days=1))

    plan = plan_deliveries([same], messages(showing_now(same)), run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == [] and plan.updates == []


def test_a_webhook_message_is_not_posted_again_either() -> None:
    same = stored()

    plan = plan_deliveries(
        [same], messages(shown(same, channel="", ts="")), run_id=RUN, default_channel=DEFAULT
    )

    assert plan.posts == [] and plan.updates == []


def test_a_finding_an_older_run_made_is_not_posted() -> None:
    old = stored(run_id="run-1")

    plan = plan_deliveries([old], {}, run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == [] and plan.updates == []


@pytest.mark.parametrize("state", ["snoozed", "resolved"])
def test_a_snoozed_or_resolved_finding_is_not_announced_for_the_first_time(
    state: FindingState,
) -> None:
    quiet = stored(state=state)

    plan = plan_deliveries([quiet], {}, run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == [] and plan.updates == [] and plan.skipped == []


def test_a_finding_whose_owner_is_an_allowed_channel_is_posted_there_and_no_other() -> None:
    owned, foreign = stored("a", owner="ml-team"), stored("b", owner="#elsewhere")

    plan = plan_deliveries(
        [owned, foreign], {}, run_id=RUN, default_channel=DEFAULT, channels=ALLOWED
    )

    assert plan.posts == [Post("ml-team", (owned,)), Post(DEFAULT, (foreign,))]


def test_with_no_channel_the_finding_is_skipped_with_a_line_saying_what_to_set() -> None:
    nowhere = stored(owner="U0123ABCD")

    plan = plan_deliveries([nowhere], {}, run_id=RUN, default_channel=None)

    assert plan.posts == []
    assert len(plan.skipped) == 1
    assert nowhere.finding.id in plan.skipped[0]
    assert "WATCHDOG_SLACK_CHANNEL" in plan.skipped[0]


def test_a_webhook_posts_to_its_own_channel_without_a_default_channel() -> None:
    new, owned = stored("a"), stored("b", owner="#ml-team")

    plan = plan_deliveries([new, owned], {}, run_id=RUN, default_channel=None, webhook=True)

    assert plan.posts == [Post(WEBHOOK_CHANNEL, (new,)), Post(WEBHOOK_CHANNEL, (owned,))]
    assert plan.skipped == []


# Updating: a message whose finding has moved on is edited, once.


@pytest.mark.parametrize("state", ["approved", "executing", "done", "snoozed", "resolved"])
def test_a_message_showing_open_is_updated_once_the_finding_moves_on(
    state: FindingState,
) -> None:
    moved = stored(state=state, run_id="run-1", detail="by ana")
    message = shown(moved, "open", channel="C0OTHER01", ts="1.2")

    plan = plan_deliveries([moved], messages(message), run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == []
    assert plan.updates == [Update("C0OTHER01", "1.2", (moved,))]


def test_a_new_who_or_when_on_the_same_state_is_an_update_too() -> None:
    approved = stored(state="approved", detail="approved by slack:U0123ABCD via slack")
    earlier = shown(approved, "approved", detail="approved by ana via cli")

    plan = plan_deliveries([approved], messages(earlier), run_id=RUN, default_channel=DEFAULT)

    assert plan.updates == [Update(DEFAULT, earlier.ts, (approved,))]


def test_a_webhook_message_is_never_updated() -> None:
    approved = stored(state="approved", detail="by ana")
    hook = shown(approved, "open", channel="", ts="")

    plan = plan_deliveries([approved], messages(hook), run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == [] and plan.updates == []


@pytest.mark.parametrize("ended", ["resolved", "done", "cancelled"])
def test_a_finding_found_again_is_posted_afresh_and_its_old_message_left_alone(
    ended: str,
) -> None:
    again = stored(state="open")

    plan = plan_deliveries(
        [again], messages(shown(again, ended)), run_id=RUN, default_channel=DEFAULT
    )

    assert plan.posts == [Post(DEFAULT, (again,))]
    assert plan.updates == []


def test_a_snooze_that_ended_updates_the_message_rather_than_posting_again() -> None:
    woken = stored(state="open")
    message = shown(woken, "snoozed", detail=":zzz: Snoozed - by ana - ...")

    plan = plan_deliveries([woken], messages(message), run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == []
    assert plan.updates == [Update(DEFAULT, message.ts, (woken,))]


def test_without_a_run_nothing_is_posted_but_stale_messages_are_still_updated() -> None:
    new = stored("new")
    approved = stored("clicked", state="approved", detail="by ana")
    message = shown(approved, "open")

    plan = plan_deliveries([new, approved], messages(message), run_id=None, default_channel=DEFAULT)

    assert plan.posts == []
    assert plan.updates == [Update(DEFAULT, message.ts, (approved,))]


def test_only_limits_posts_and_updates_to_those_findings() -> None:
    picked, other = stored("picked"), stored("other")
    picked_done = stored("picked-done", state="done", run_id="run-1")
    other_done = stored("other-done", state="done", run_id="run-1")
    posted = messages(shown(picked_done, ts="1.1"), shown(other_done, ts="2.2"))

    plan = plan_deliveries(
        [picked, other, picked_done, other_done],
        posted,
        run_id=RUN,
        default_channel=DEFAULT,
        only={"f-picked", "f-picked-done"},
    )

    assert plan.posts == [Post(DEFAULT, (picked,))]
    assert plan.updates == [Update(DEFAULT, "1.1", (picked_done,))]

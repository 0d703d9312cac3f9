"""Digests: several findings to a Slack message, posted in chunks per channel and re-rendered
whole when any finding it shows moves on."""

from __future__ import annotations

from tests.unit.notify.deliveries import (
    ALLOWED,
    DEFAULT,
    RUN,
    ids,
    messages,
    showing_now,
    shown,
    stored,
)
from watchdog.notify.deliver import (
    DIGEST_SIZE,
    Post,
    Update,
    plan_deliveries,
)

# Digests: several findings to a message.


def test_a_digest_groups_posts_by_channel_in_chunks() -> None:
    many = [stored(f"e{i}") for i in range(DIGEST_SIZE + 1)]
    team = [stored("t1", owner="ml-team"), stored("t2", owner="ml-team")]

    plan = plan_deliveries(
        [many[0], *team, *many[1:]],
        {},
        run_id=RUN,
        default_channel=DEFAULT,
        digest=True,
        channels=ALLOWED,
    )

    assert [(p.channel, len(p.findings)) for p in plan.posts] == [
        (DEFAULT, DIGEST_SIZE),
        (DEFAULT, 1),
        ("ml-team", 2),
    ]
    assert [s for p in plan.posts if p.channel == DEFAULT for s in p.findings] == many
    assert plan.posts[2].findings == tuple(team)


def test_without_digest_every_finding_is_its_own_post() -> None:
    few = [stored(f"e{i}") for i in range(3)]

    plan = plan_deliveries(few, {}, run_id=RUN, default_channel=DEFAULT)

    assert plan.posts == [Post(DEFAULT, (s,)) for s in few]


def test_a_digest_update_re_renders_every_finding_the_message_shows() -> None:
    a = stored("a", state="approved", detail="by ana")
    b, c = stored("b"), stored("c")
    elsewhere = stored("d")
    posted = messages(
        shown(a, ts="5.5"), showing_now(b, ts="5.5"), showing_now(c, ts="5.5"),
        showing_now(elsewhere, ts="6.6"),
    )  # fmt: skip

    plan = plan_deliveries([a, b, c, elsewhere], posted, run_id=RUN, default_channel=DEFAULT)

    assert len(plan.updates) == 1
    update = plan.updates[0]
    assert (update.channel, update.ts) == (DEFAULT, "5.5")
    assert ids(update.findings) == ["f-a", "f-b", "f-c"]
    assert plan.posts == []


def test_two_moved_findings_in_one_digest_make_one_update() -> None:
    a = stored("a", state="approved", detail="by ana")
    b = stored("b", state="snoozed", detail="by bob")
    posted = messages(shown(a, ts="5.5"), shown(b, ts="5.5"))

    plan = plan_deliveries([a, b], posted, run_id=RUN, default_channel=DEFAULT)

    assert plan.updates == [Update(DEFAULT, "5.5", (a, b))]


def test_only_still_re_renders_the_whole_digest_it_updates() -> None:
    a = stored("a", state="approved", detail="by ana")
    b = stored("b")
    posted = messages(shown(a, ts="5.5"), showing_now(b, ts="5.5"))

    plan = plan_deliveries([a, b], posted, run_id=None, default_channel=DEFAULT, only={"f-a"})

    assert plan.updates == [Update(DEFAULT, "5.5", (a, b))]


def test_a_finding_posted_afresh_is_not_re_rendered_in_its_old_digest() -> None:
    again = stored("again", state="open")
    moved = stored("moved", state="approved", run_id="run-1", detail="by ana")
    posted = messages(shown(again, "resolved", ts="5.5"), shown(moved, "open", ts="5.5"))

    plan = plan_deliveries([again, moved], posted, run_id=RUN, default_channel=DEFAULT, digest=True)

    assert plan.posts == [Post(DEFAULT, (again,))]
    assert [ids(u.findings) for u in plan.updates] == [["f-moved"]]

"""The email digest's words: the subject's count and money, and the states in Slack's words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.unit.act.test_admission_rules import finding, stored
from tests.unit.evaluate.factories import NOW
from watchdog.notify.deliver import status_line
from watchdog.notify.email_render import STATE_WORDS, digest, state_line, subject
from watchdog.notify.outbound import ESCALATED, REMINDER, Change


def change(stage: str = "open", cost: float | None = 100.0, state: str = "open") -> Change:
    body = stored(48, state=state, detail="cli:alice")
    body = body.model_copy(update={"finding": finding(monthly_cost_usd=cost)})
    return Change(body, stage, None if stage == "open" else "open")


@pytest.mark.parametrize("state", sorted(STATE_WORDS))
def test_each_state_reads_as_slacks_status_line_without_its_emoji(state: str) -> None:
    body = stored(1, state=state, detail="cli:alice").model_copy(
        update={"state_until": NOW + timedelta(days=7)}
    )

    slack = status_line(body)

    assert slack is not None
    assert re.sub(r"^:[a-z_]+: ", "", slack) == state_line(body)


def test_the_subject_counts_what_waits_and_the_money_at_stake() -> None:
    three = [change(cost=1000.0), change(cost=234.4), change(cost=None)]

    assert subject(three) == "3 idle AI resources, $1,234/month at stake"
    assert subject([change(cost=None)]) == "1 idle AI resource, cost unknown"
    assert subject([change(REMINDER)]) == "Reminder: 1 idle AI resource, $100/month at stake"
    assert subject([change(ESCALATED), change()]).startswith("Escalated: 2 idle AI resources")


def test_updates_alone_say_what_moved_on() -> None:
    updates = [change("done", state="done"), change("done", state="done")]
    mixed = [change(), change("approved", state="approved")]

    assert subject(updates) == "AI cost watchdog: 2 updates (2 done)"
    assert subject(mixed) == "1 idle AI resource, $100/month at stake (+1 update)"


def test_a_notify_finding_offers_no_approval_link() -> None:
    heads_up = Change(
        stored(1).model_copy(update={"finding": finding(action="notify")}),
        "open",
        None,
        review_url="https://w.example.com/approve/t",
    )

    email = digest([heads_up], NOW)

    assert "Heads-up:" in email.text and "/approve/" not in email.text + email.html

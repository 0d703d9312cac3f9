"""The Slack alert for a finding: what it shows and which buttons it carries."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.act.test_admission_rules import finding
from watchdog.notify.blocks import finding_message
from watchdog.policies.schema import ParkSchedule

REVIEW = "https://watchdog.example.com/approve/tok"


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    actions = [b for b in blocks if b["type"] == "actions"]
    return {e["action_id"]: e for a in actions for e in a["elements"]}


def test_a_delete_alert_shows_the_money_and_asks_before_approving() -> None:
    message = finding_message(finding(), review_url=REVIEW, owner_mention="<@U123>")

    text = json.dumps(message.blocks)
    assert "$100.00/month" in text and "<@U123>" in text and "111122223333" in text
    found = buttons(message.blocks)
    assert set(found) == {"approve", "snooze", "exempt", "review"}
    approve = found["approve"]
    assert approve["style"] == "danger" and approve["value"] == "f-1:delete"
    assert approve["confirm"]["style"] == "danger"
    assert found["snooze"]["value"] == "f-1:delete:7"
    assert found["review"]["url"] == REVIEW
    assert "delete" in message.text and "$100.00/month" in message.text


def test_a_notify_finding_has_nothing_to_approve() -> None:
    message = finding_message(finding(action="notify", steps=()), review_url=REVIEW)

    assert "approve" not in buttons(message.blocks)
    assert {"snooze", "exempt"} <= set(buttons(message.blocks))


def test_webhook_mode_carries_the_review_link_and_no_buttons() -> None:
    message = finding_message(finding(), review_url=REVIEW, interactive=False)

    assert buttons(message.blocks) == {}
    assert f"<{REVIEW}|Review and approve>" in json.dumps(message.blocks)


def test_an_unknown_cost_is_said_plainly() -> None:
    message = finding_message(finding(monthly_cost_usd=None), snooze_days=3)

    assert "cost unknown" in message.text
    assert buttons(message.blocks)["snooze"]["text"]["text"] == "Snooze 3 days"


def test_nothing_from_aws_or_a_policy_file_reaches_slack_as_markup() -> None:
    """`<!channel>`, a disguised link or a mention in a name, a policy or a reason that quotes
    one is shown as text: Slack's escaping of & < >, everywhere Slack reads mrkdwn."""
    hostile = "<!channel> <http://evil.example|Approve here> <@U0ADMIN01> & co"
    base = finding()
    shown = finding(
        policy=f"idle {hostile}",
        reason=f"idle, tagged {hostile}",
        resource=base.resource.model_copy(update={"name": f"ep {hostile}"}),
    )

    message = finding_message(shown, owner_mention="&lt;!here&gt;")
    # What Slack parses: the top-level text and every mrkdwn text object (plain_text, such as
    # a confirm dialog's title, is shown as it is).
    everything = message.text + "".join(_mrkdwn(message.blocks))

    for raw in ("<!channel>", "<http://evil", "<@U0ADMIN01>", "& co"):
        assert raw not in everything
    assert "&lt;!channel&gt;" in everything and "&amp; co" in everything


def _mrkdwn(node: Any) -> list[str]:
    if isinstance(node, list):
        return [text for item in node for text in _mrkdwn(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [text for value in node.values() for text in _mrkdwn(value)]


def park_finding() -> Any:
    schedule = ParkSchedule(at="0 20 * * mon-fri", resume="0 8 * * mon-fri", timezone="UTC")
    return finding(action="park", park=schedule, parked_hours_per_week=108.0)


def test_a_park_alert_shows_its_office_hours_and_what_they_save() -> None:
    message = finding_message(park_finding())

    text = json.dumps(message.blocks)
    assert "*Park: sagemaker-endpoint `e`*" in text
    assert "parked `0 20 * * mon-fri`, back `0 8 * * mon-fri` (UTC)" in text
    assert "saves $64.29/month" in text  # $100 x 108 of 168 hours
    assert "Approve park" in json.dumps(buttons(message.blocks))


def test_a_parked_alert_offers_resume_now_as_a_button_or_a_signed_link() -> None:
    parked = park_finding()
    status = ":crescent_moon: Parked - parked: AWS confirms: gone"

    clickable = finding_message(parked, status=status, resumable=True)
    assert list(buttons(clickable.blocks)) == ["resume"]
    linked = finding_message(
        parked, status=status, resumable=True, interactive=False, resume_url="https://w/resume/t"
    )
    assert "<https://w/resume/t|Resume now>" in json.dumps(linked.blocks)
    assert buttons(linked.blocks) == {}
    over = finding_message(parked, status="Done", resumable=False)
    assert buttons(over.blocks) == {} and "Resume now" not in json.dumps(over.blocks)


def test_a_park_its_tags_approve_asks_nobody_to_approve_it() -> None:
    tagged = park_finding().model_copy(
        update={"approved_by_tags": "watchdog:schedule=office-hours"}
    )

    message = finding_message(tagged, review_url=REVIEW)

    assert "*Approved*\\nby its tags `watchdog:schedule=office-hours`" in json.dumps(message.blocks)
    assert set(buttons(message.blocks)) == {"snooze", "exempt", "review"}
    webhook = finding_message(tagged, review_url=REVIEW, interactive=False)
    assert "Review and approve" not in json.dumps(webhook.blocks)

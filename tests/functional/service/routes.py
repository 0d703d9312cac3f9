"""What the route tests share: the secrets and Slack ids, a service over a store, Slack's
signed click on f-1's message (and spoiled ones), approval links."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from slack_sdk.signature import SignatureVerifier
from watchdog_sandbox.slack_clicks import block_actions, button, signed_request

from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.approvals.tokens import issue_token
from watchdog.notify.blocks import finding_message
from watchdog.notify.slack import Sender
from watchdog.service.context import Service, build_service
from watchdog.service.routes import Request
from watchdog.settings import Settings
from watchdog.store.base import Store

SIGNING_SECRET = "routes-signing-secret-0123456789abcdef"
LINK_SECRET = "routes-link-secret-0123456789abcdef0123456789"
PUBLIC_URL = "https://watchdog.example.com"
ALICE = "U0ALICE001"
BOB = "U0BOB00001"
APPROVERS = "S0APPROVE1"
CHANNEL = "C0FINOPS01"
TS = "1764000000.000100"
# Never called here: the routes only hand it on in the work they return.
RESPONSE_URL = "https://hooks.slack.com/actions/T000/1/abc"
SLACK_UNFURLER = "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"


def service_for(store: Store, sender: Sender | None = None, **fields: Any) -> Service:
    settings: dict[str, Any] = {
        "slack_signing_secret": SIGNING_SECRET,
        "link_secret": LINK_SECRET,
        "public_url": PUBLIC_URL,
        "cost_explorer": False,
    }
    return build_service(Settings.model_validate(settings | fields), store, sender=sender)


def clicked(action_id: str, *, action: str = "delete", snooze_days: int = 7) -> dict[str, Any]:
    """The button as the posted message carries it."""
    message = finding_message(finding(action=action), snooze_days=snooze_days)
    return button(message.blocks, action_id)


def click(
    action_id: str,
    user: str = ALICE,
    *,
    secret: str = SIGNING_SECRET,
    at: float | None = None,
    **button_fields: Any,
) -> Request:
    """Slack's POST for a click on f-1's message, signed at `at` (default: NOW)."""
    payload = block_actions(clicked(action_id, **button_fields), user, CHANNEL, TS, RESPONSE_URL)
    headers, body = signed_request(payload, secret, at=NOW.timestamp() if at is None else at)
    return Request("POST", "/slack/interactions", headers, body)


def state(store: Store, finding_id: str = "f-1") -> str:
    stored = store.get_finding(finding_id)
    assert stored is not None
    return stored.state


def nothing_recorded(store: Store) -> bool:
    return (
        store.pending_approval("f-1", "delete", NOW) is None
        and store.pending_approval("f-1", "stop", NOW) is None
        and state(store) == "open"
    )


# -- Slack's signature


def signed(body: str, at: float | None = None) -> Request:
    """A POST of `body` exactly as given, with Slack's headers signed over it."""
    timestamp = str(int(NOW.timestamp() if at is None else at))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature or ""}
    return Request("POST", "/slack/interactions", headers, body)


def without(header: str) -> Request:
    request = click("approve")
    headers = {k: v for k, v in request.headers.items() if k != header}
    return Request(request.method, request.path, headers, request.body)


def tampered() -> Request:
    request = click("approve", user=BOB)
    body = request.body.replace(BOB, ALICE)
    assert body != request.body
    return Request(request.method, request.path, request.headers, body)


SPOILED = {
    "forged": lambda: click("approve", secret="not-the-signing-secret-0123456789abcdef"),
    "unsigned": lambda: without("X-Slack-Signature"),
    "untimed": lambda: without("X-Slack-Request-Timestamp"),
    "stale": lambda: click("approve", at=(NOW - timedelta(minutes=5, seconds=1)).timestamp()),
    "future": lambda: click("approve", at=(NOW + timedelta(minutes=5, seconds=1)).timestamp()),
    "tampered": tampered,
}


# -- approval links


def link(finding_id: str = "f-1", action: str = "delete") -> str:
    return issue_token(LINK_SECRET.encode(), finding_id, action, NOW + timedelta(hours=24))

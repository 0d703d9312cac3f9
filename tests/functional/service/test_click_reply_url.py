"""A click's answer goes only to Slack's own response_url host (#14 item 5): a signed click,
or a Lambda work event, naming loopback or the instance metadata endpoint makes no request."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from structlog.testing import capture_logs
from watchdog_sandbox.slack_clicks import block_actions, signed_request

from tests.functional.service.routes import (
    ALICE,
    BOB,
    CHANNEL,
    RESPONSE_URL,
    SIGNING_SECRET,
    TS,
    clicked,
    service_for,
)
from tests.unit.evaluate.factories import NOW
from watchdog.service import work as work_module
from watchdog.service.routes import Request, route
from watchdog.service.work import Work, perform
from watchdog.store.base import Store

METADATA = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"


class Listener(ThreadingHTTPServer):
    """A loopback server that only counts what reaches it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                listener.hits.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hook"


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


class Webhooks:
    """Stands in for slack_sdk's WebhookClient: records every URL a reply was sent to."""

    sent: ClassVar[list[str]] = []

    def __init__(self, url: str, **_: object) -> None:
        Webhooks.sent.append(url)
        self.proxy: object = None

    def send(self, **_: object) -> None:
        pass


def click_to(response_url: str, action_id: str = "approve", user: str = BOB) -> Request:
    payload = block_actions(clicked(action_id), user, CHANNEL, TS, response_url)
    headers, body = signed_request(payload, SIGNING_SECRET, at=NOW.timestamp())
    return Request("POST", "/slack/interactions", headers, body)


@pytest.mark.parametrize("where", ["loopback", "metadata"])
def test_a_response_url_off_slack_is_never_requested(
    store: Store, listener: Listener, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    url = listener.url if where == "loopback" else METADATA
    Webhooks.sent = []
    # Bob is refused, which would send him a reply through the click's response_url.
    service = service_for(store, slack_approvers=ALICE)

    with capture_logs() as logs:
        response, work = route(service, click_to(url), NOW)
        if where == "metadata":
            monkeypatch.setattr(work_module, "WebhookClient", Webhooks)
        for item in work:
            perform(item, service)

    assert response.status == 200 and [w.task for w in work] == ["reply"]
    assert work[0].response_url is None
    assert listener.hits == [] and Webhooks.sent == []
    refused = [e for e in logs if e["event"] == "response_url refused"]
    assert refused and refused[0]["host"] in ("127.0.0.1", "169.254.169.254")
    assert all(url not in json.dumps(e, default=str) for e in logs)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://hooks.slack.com.attacker.example/actions/1",
        "https://hooks.slack.com@169.254.169.254/actions/1",
        "http://hooks.slack.com/actions/1",
        "https://hooks.slack.com:8443/actions/1",
        "https://hooks.slack.com\\@127.0.0.1/actions/1",
        "file:///etc/passwd",
    ],
)
def test_a_work_event_naming_any_other_host_sends_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    # The Lambda's asynchronous work event carries the URL outside the process that checked it.
    Webhooks.sent = []
    monkeypatch.setattr(work_module, "WebhookClient", Webhooks)

    perform(Work(task="reply", response_url=url, text="hello"), service_for(store))

    assert Webhooks.sent == []


def test_slacks_own_hooks_host_is_still_answered(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    Webhooks.sent = []
    monkeypatch.setattr(work_module, "WebhookClient", Webhooks)

    perform(Work(task="reply", response_url=RESPONSE_URL, text="hello"), service_for(store))

    assert Webhooks.sent == [RESPONSE_URL]

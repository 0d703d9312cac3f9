"""The sandbox's Slack, as slack_sdk's own WebClient and WebhookClient see it."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from urllib.error import URLError

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from watchdog_sandbox.slack_api import SlackApi

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*idle endpoint*"}}
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackApi]:
    # slack_sdk sends everything through a proxy named in the environment, localhost included.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with SlackApi(
        users={"alice@example.com": "U0ALICE"},
        channels={"#ai-costs": "C0COSTS"},
        groups={"S0ONCALL": ["U0ALICE", "U0BOB"]},
    ) as api:
        yield api


@pytest.fixture
def client(slack: SlackApi) -> WebClient:
    return WebClient(token=slack.token, base_url=slack.api_url)


def _error(raised: pytest.ExceptionInfo[SlackApiError]) -> object:
    return raised.value.response["error"]


def test_auth_test_names_the_bot(client: WebClient) -> None:
    answer = client.auth_test()
    assert (answer["team_id"], answer["user_id"], answer["bot_id"]) == ("T000", "U0BOT", "B0BOT")


def test_post_then_update_leaves_the_message_current(slack: SlackApi, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0COSTS", text="idle", blocks=[SECTION])
    assert posted["ok"] and posted["channel"] == "C0COSTS"
    assert posted["message"]["blocks"] == [SECTION]
    ts = posted["ts"]

    updated = client.chat_update(channel="C0COSTS", ts=ts, text="approved by alice")

    assert (updated["channel"], updated["ts"], updated["text"]) == (
        "C0COSTS",
        ts,
        "approved by alice",
    )
    message = slack.message("C0COSTS", ts)
    assert message is not None
    # chat.update keeps what it was not sent: the blocks stay.
    assert (message.text, message.blocks, message.updates, message.via) == (
        "approved by alice",
        [SECTION],
        1,
        "bot",
    )
    assert [(c.method, c.params["channel"], c.status) for c in slack.calls] == [
        ("chat.postMessage", "C0COSTS", 200),
        ("chat.update", "C0COSTS", 200),
    ]


def test_ts_are_unique_and_increasing(slack: SlackApi, client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C0COSTS", text=str(n))["ts"] for n in range(3)]
    assert stamps[0] == "1764000000.000100"
    assert [float(ts) for ts in stamps] == sorted({float(ts) for ts in stamps})
    assert [m.ts for m in slack.messages()] == stamps


def test_channel_names_resolve_to_ids(client: WebClient) -> None:
    def channel_of(name: str) -> str:
        return str(client.chat_postMessage(channel=name, text="hi")["channel"])

    assert channel_of("#ai-costs") == channel_of("ai-costs") == "C0COSTS"
    generated = channel_of("#random")
    assert generated.startswith("C") and generated == channel_of("random")
    assert channel_of("U0ALICE") == "D0ALICE"  # a user id: the DM with them


def test_a_generated_channel_id_is_the_same_in_every_workspace(client: WebClient) -> None:
    with SlackApi() as other:
        elsewhere = WebClient(token=other.token, base_url=other.api_url)
        assert (
            elsewhere.chat_postMessage(channel="#random", text="hi")["channel"]
            == client.chat_postMessage(channel="#random", text="hi")["channel"]
        )


def test_update_of_an_unknown_message_is_message_not_found(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="C0COSTS", ts="1.000000", text="x")
    assert _error(raised) == "message_not_found"


def test_post_without_text_or_blocks_is_no_text(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postMessage", json={"channel": "C0COSTS"})
    assert _error(raised) == "no_text"


def test_lookup_by_email(slack: SlackApi, client: WebClient) -> None:
    found = client.users_lookupByEmail(email="Alice@example.com")
    assert found["user"]["id"] == "U0ALICE"
    assert found["user"]["profile"]["email"] == "Alice@example.com"
    # slack_sdk's sync client sends this "GET" method's arguments as a form body, POSTed.
    assert slack.calls[-1].params == {"email": "Alice@example.com"}

    with pytest.raises(SlackApiError) as raised:
        client.users_lookupByEmail(email="nobody@example.com")
    assert _error(raised) == "users_not_found"


def test_usergroup_members(slack: SlackApi, client: WebClient) -> None:
    assert client.usergroups_users_list(usergroup="S0ONCALL")["users"] == ["U0ALICE", "U0BOB"]
    assert slack.calls[-1].params == {"usergroup": "S0ONCALL"}

    with pytest.raises(SlackApiError) as raised:
        client.usergroups_users_list(usergroup="S0NOBODY")
    assert _error(raised) == "no_such_subteam"


def test_a_query_string_and_a_form_body_are_read_too(slack: SlackApi, client: WebClient) -> None:
    request = urllib.request.Request(
        slack.api_url + "users.lookupByEmail?email=alice%40example.com",
        headers={"Authorization": f"Bearer {slack.token}"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.loads(response.read())["user"]["id"] == "U0ALICE"

    # A form body carries blocks as JSON text, and may carry the token itself.
    form = {"channel": "#ai-costs", "blocks": json.dumps([SECTION]), "token": slack.token}
    posted = WebClient(base_url=slack.api_url).api_call("chat.postMessage", data=form)
    message = slack.message(posted["channel"], posted["ts"])
    assert message is not None and message.blocks == [SECTION]
    assert "token" not in slack.calls[-1].params


def test_a_wrong_or_missing_token_is_refused_with_200(slack: SlackApi) -> None:
    with pytest.raises(SlackApiError) as raised:
        WebClient(token="xoxb-wrong", base_url=slack.api_url).auth_test()
    assert (_error(raised), raised.value.response.status_code) == ("invalid_auth", 200)

    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=slack.api_url).auth_test()
    assert _error(raised) == "not_authed"


def test_an_unknown_method_is_unknown_method(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("conversations.nonsense")
    assert _error(raised) == "unknown_method"


def test_a_rate_limit_is_retried_after_retry_after(slack: SlackApi, client: WebClient) -> None:
    # slack_sdk sleeps int(Retry-After) plus up to a second of jitter: 0 keeps this under 1 s.
    slack.fail_next("chat.postMessage", 429, retry_after=0)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))

    posted = client.chat_postMessage(channel="C0COSTS", text="idle")

    assert posted["ok"]
    assert [(c.method, c.status) for c in slack.calls] == [
        ("chat.postMessage", 429),
        ("chat.postMessage", 200),
    ]
    assert len(slack.messages()) == 1


def test_a_rate_limit_without_a_retry_handler_raises(slack: SlackApi, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", 429, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0COSTS", text="idle")
    response = raised.value.response
    assert (response.status_code, response["error"]) == (429, "ratelimited")
    assert response.headers["Retry-After"] == "7"
    assert slack.messages() == []


def test_a_server_error_is_not_json_and_raises(slack: SlackApi, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", 500)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0COSTS", text="idle")
    # slack_sdk cannot parse the body, so it makes up the error from it.
    assert raised.value.response.status_code == 500
    assert _error(raised) == "Received a response in a non-JSON format: internal error"
    # The default retry handlers (connection errors only) do not retry a 500.
    assert [c.status for c in slack.calls] == [500]


def test_a_staged_error_is_used_times_then_calls_succeed(
    slack: SlackApi, client: WebClient
) -> None:
    slack.fail_next("chat.postMessage", 200, times=2, error="channel_not_found")
    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="C0COSTS", text="idle")
        assert _error(raised) == "channel_not_found"
    assert client.chat_postMessage(channel="C0COSTS", text="idle")["ok"]


def test_a_staged_failure_needs_an_error_unless_it_is_429_or_5xx(slack: SlackApi) -> None:
    with pytest.raises(ValueError):
        slack.fail_next("chat.postMessage", 200)


def test_webhook_posts_a_message(slack: SlackApi) -> None:
    answer = WebhookClient(slack.webhook_url).send(text="idle", blocks=[SECTION])
    assert (answer.status_code, answer.body) == (200, "ok")
    [message] = slack.messages()
    assert (message.channel, message.text, message.blocks, message.via) == (
        "webhook",
        "idle",
        [SECTION],
        "webhook",
    )
    assert slack.calls[-1].method == "webhook"


def test_webhook_refuses_an_empty_message_and_answers_staged_failures(slack: SlackApi) -> None:
    hook = WebhookClient(slack.webhook_url)
    empty = hook.send_dict({})
    assert (empty.status_code, empty.body) == (400, "invalid_payload")

    slack.fail_next("webhook", 500)
    failed = hook.send(text="idle")  # WebhookClient answers errors, it does not raise them
    assert (failed.status_code, failed.body) == (500, "internal error")
    assert slack.messages() == []


def test_response_url_replaces_the_message(slack: SlackApi, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0COSTS", text="idle", blocks=[SECTION])
    url = slack.response_url(posted["channel"], posted["ts"])

    answer = WebhookClient(url).send(text="Approved by alice", replace_original=True)

    assert (answer.status_code, json.loads(answer.body)) == (200, {"ok": True})
    message = slack.message(posted["channel"], posted["ts"])
    assert message is not None
    # A replacement is the whole message: the blocks it did not send are gone.
    assert (message.text, message.blocks, message.updates) == ("Approved by alice", [], 1)
    assert slack.calls[-1].method == "response_url"
    assert slack.calls[-1].params["replace_original"] is True


def test_response_url_ephemeral_in_channel_and_delete(slack: SlackApi, client: WebClient) -> None:
    posted = client.chat_postMessage(channel="C0COSTS", text="idle")
    hook = WebhookClient(slack.response_url(posted["channel"], posted["ts"]))

    assert hook.send(text="only you see this").status_code == 200
    assert [m.text for m in slack.messages()] == ["idle"]

    hook.send(text="for everyone", response_type="in_channel")
    assert [(m.channel, m.text) for m in slack.messages()] == [
        ("C0COSTS", "idle"),
        ("C0COSTS", "for everyone"),
    ]

    hook.send(delete_original=True)
    assert [m.text for m in slack.messages()] == ["for everyone"]
    gone = hook.send(text="again", replace_original=True)
    assert (gone.status_code, json.loads(gone.body)["error"]) == (404, "message_not_found")


def test_stop_frees_the_port(slack: SlackApi) -> None:
    url = slack.api_url
    slack.stop()
    with pytest.raises(URLError):
        urllib.request.urlopen(url + "auth.test", timeout=5)

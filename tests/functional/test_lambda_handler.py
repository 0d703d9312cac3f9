"""The Lambda handler on a scheduled event: a plan of the configured scope, logged and returned."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from watchdog_sandbox.slack_api import SlackApi
from watchdog_sandbox.slack_clicks import block_actions, button, signed_request

import lambda_handler
from lambda_handler import handler
from tests.functional.conftest import organization_env
from tests.functional.demo_snapshot import seed_demo
from tests.unit.act.test_admission_rules import finding
from watchdog.approvals.tokens import issue_report_token, issue_token
from watchdog.notify.blocks import finding_message
from watchdog.notify.notifier import NotifyOptions, notify
from watchdog.notify.slack import BotSender
from watchdog.service.public_url import forget
from watchdog.service.work import Work
from watchdog.store.base import Store
from watchdog.store.dynamodb import create_table
from watchdog.store.open import open_store

SCHEDULER_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "4b0ab4f2-0f6b-4d3c-9b1f-6f9e3f0e2d8a",
    "detail-type": "Scheduled Event",
    "source": "aws.scheduler",
    "account": "123456789012",
    "time": "2026-11-24T07:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/watchdog"],
    "detail": "{}",
}


def test_a_scheduled_event_returns_the_plan_summary(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_demo()
    for name, value in {**organization_env(tmp_path), "WATCHDOG_LOG_LEVEL": "info"}.items():
        monkeypatch.setenv(name, value)

    summary = handler(SCHEDULER_EVENT, None)

    json.dumps(summary)  # what Lambda returns must serialise
    assert summary["errors"] == []
    assert summary["findings"] > 0
    assert summary["by_action"]["delete"] >= 1
    assert summary["monthly_savings_usd"] > 0
    assert summary["get_metric_data_calls"] == 4
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]
    findings = [entry for entry in logged if entry.get("event") == "finding"]
    assert len(findings) == summary["findings"]
    assert all(entry["resource_arn"].startswith("arn:aws:") for entry in findings)


class LambdaContext:
    """The part of Lambda's context object the handler reads."""

    def __init__(self, remaining_ms: int, function_name: str = "ai-cost-watchdog") -> None:
        self.remaining_ms = remaining_ms
        self.function_name = function_name
        self.memory_limit_in_mb = 512

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def test_with_a_store_in_enforce_mode_a_teardown_spans_invocations_at_the_deadline(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_demo()
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "tear-down.yaml").write_text(
        "policies:\n"
        "  - name: tear-down\n"
        "    resource: [sagemaker-domain]\n"
        "    conditions: {older_than: 1h}\n"
        "    action: delete\n"
        "    approval: {mode: automatic, grace: 0h}\n"
    )
    for name, value in {
        "WATCHDOG_REGIONS": "us-east-1",
        "WATCHDOG_STORE": "dynamodb://watchdog",
        "WATCHDOG_MODE": "enforce",
        "WATCHDOG_POLICIES": str(policies),
        "WATCHDOG_CACHE_DIR": str(tmp_path),
        "WATCHDOG_COST_EXPLORER": "false",
        "WATCHDOG_POLL_SECONDS": "0.05",
    }.items():
        monkeypatch.setenv(name, value)

    # Less time left than the handler keeps in reserve: it starts nothing and says so.
    first = handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=10_000))
    second = handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=900_000))

    assert first["mode"] == "execute" and first["stopped"] == "deadline"
    assert first["verdict"] == "partial"
    assert second["verdict"] == "done" and second["by_fate"] == {"done": 1}
    # Its own bill: the metrics it asked for and its GB-seconds (512 MB for the run's time).
    cost = second["self_cost"]
    assert cost["metrics_requested"] > 0 and cost["lambda_gb_seconds"] > 0
    assert cost["usd"] > cost["metrics_requested"] * 0.00001
    assert boto3.client("sagemaker", region_name="us-east-1").list_domains()["Domains"] == []


def test_with_a_store_a_new_container_reuses_prices_costs_and_configs_from_the_store(
    aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """/tmp lasts as long as a container, and an hourly schedule often gets a new one: with a
    store, Cost Explorer's answers (billed per request), prices and endpoint config
    descriptions are cached in it, so the next invocation asks none of them again."""
    seed_demo()
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    env = organization_env(tmp_path)
    del env["WATCHDOG_CACHE_DIR"]
    for name, value in {**env, "WATCHDOG_STORE": "dynamodb://watchdog"}.items():
        monkeypatch.setenv(name, value)

    results = []
    for container in ("first", "second"):  # each with a /tmp of its own
        monkeypatch.setattr(lambda_handler, "CONTAINER_CACHE_DIR", str(tmp_path / container))
        results.append(handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=900_000)))
    first, second = results

    costs = [run["self_cost"] for run in (first, second)]
    assert costs[0]["cost_explorer_requests"] > 0 and costs[0]["pricing_calls"] > 0
    assert (costs[1]["cost_explorer_requests"], costs[1]["pricing_calls"]) == (0, 0)
    configs = len(
        boto3.client("sagemaker", region_name="us-east-1").list_endpoint_configs()[
            "EndpointConfigs"
        ]
    )
    assert first["api_calls"] - second["api_calls"] >= costs[0]["pricing_calls"] + configs
    assert second["findings"] == first["findings"]
    assert second["errors"] == first["errors"] == []


# -- HTTP API requests (Slack clicks, approval links) and the work they hand on

SIGNING_SECRET = "lambda-signing-secret-0123456789abcdef"
LINK_SECRET = "lambda-link-secret-0123456789abcdef0123456789"
ALICE = "U0ALICE001"
CHANNEL = "C0FINOPS01"


@pytest.fixture
def stored(aws: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Store]:
    """The Lambda's environment and its DynamoDB store, holding open delete finding f-1."""
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    for name, value in {
        "WATCHDOG_REGIONS": "us-east-1",
        "WATCHDOG_STORE": "dynamodb://watchdog",
        "WATCHDOG_CACHE_DIR": str(tmp_path),
        "WATCHDOG_COST_EXPLORER": "false",
        "WATCHDOG_SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "WATCHDOG_LINK_SECRET": LINK_SECRET,
        "WATCHDOG_PUBLIC_URL": "https://abc123.lambda-url.us-east-1.on.aws",
    }.items():
        monkeypatch.setenv(name, value)
    store = open_store("dynamodb://watchdog")
    store.save_findings("r-1", [finding()], datetime.now(UTC) - timedelta(hours=1))
    yield store
    store.close()


def http_event(
    method: str, path: str, headers: dict[str, str] | None = None, body: str = ""
) -> dict[str, Any]:
    """An HTTP API (payload 2.0) / function URL event, as API Gateway sends it: lower-case
    header names and a form body base64-encoded."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {k.lower(): v for k, v in (headers or {}).items()}
        | {"host": "abc123.lambda-url.us-east-1.on.aws", "user-agent": "Slackbot 1.0"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Slackbot 1.0",
            },
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": base64.b64encode(body.encode()).decode(),
        "isBase64Encoded": True,
    }


def approve_click(secret: str = SIGNING_SECRET, response_url: str = "") -> dict[str, Any]:
    blocks = finding_message(finding()).blocks
    payload = block_actions(
        button(blocks, "approve"),
        ALICE,
        CHANNEL,
        "1764000000.000100",
        response_url or "https://hooks.slack.com/actions/T000/1/abc",
    )
    headers, body = signed_request(payload, secret)
    return http_event("POST", "/slack/interactions", headers, body)


class Dispatched:
    """The handler's `dispatch`: records the work instead of invoking the function again."""

    def __init__(self) -> None:
        self.work: list[Work] = []

    def __call__(self, item: Work, context: Any) -> None:
        self.work.append(item)


@pytest.mark.parametrize("encoded", [True, False], ids=["base64-body", "plain-body"])
def test_a_signed_approve_click_is_recorded_and_its_execute_dispatched(
    stored: Store, encoded: bool
) -> None:
    event = approve_click()
    if not encoded:
        event["body"] = base64.b64decode(event["body"]).decode()
        event["isBase64Encoded"] = False
    dispatched = Dispatched()

    answer = handler(event, None, dispatched)

    assert answer["statusCode"] == 200
    json.dumps(answer)
    approval = stored.pending_approval("f-1", "delete", datetime.now(UTC))
    assert approval is not None
    assert (approval.approver, approval.via) == (f"slack:{ALICE}", "slack")
    assert stored.get_finding("f-1").state == "approved"  # type: ignore[union-attr]
    assert [(w.task, w.finding_id, w.user) for w in dispatched.work] == [
        ("execute", "f-1", f"slack:{ALICE}")
    ]


def test_a_click_is_answered_without_reading_the_policies(
    stored: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Policies from S3 are read by the cycle the click starts, not inside Slack's 3 seconds:
    # an unreachable policy bucket does not hold up (or break) the answer.
    monkeypatch.setenv("WATCHDOG_POLICIES", "s3://no-such-policy-bucket/policies/")
    dispatched = Dispatched()

    answer = handler(approve_click(), None, dispatched)

    assert answer["statusCode"] == 200 and len(dispatched.work) == 1


def test_a_forged_click_is_401_and_dispatches_nothing(stored: Store) -> None:
    dispatched = Dispatched()

    answer = handler(approve_click(secret="not-the-signing-secret-0123456789"), None, dispatched)

    assert answer["statusCode"] == 401
    assert dispatched.work == []
    assert stored.pending_approval("f-1", "delete", datetime.now(UTC)) is None
    assert stored.get_finding("f-1").state == "open"  # type: ignore[union-attr]


def test_the_approval_page_is_served_as_html_and_changes_nothing(stored: Store) -> None:
    token = issue_token(
        LINK_SECRET.encode(), "f-1", "delete", datetime.now(UTC) + timedelta(hours=1)
    )
    dispatched = Dispatched()
    unfurler = {"user-agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}

    answer = handler(http_event("GET", f"/approve/{token}", unfurler), None, dispatched)

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"].startswith("text/html")
    assert "Approve delete" in answer["body"]
    assert dispatched.work == []
    assert stored.pending_approval("f-1", "delete", datetime.now(UTC)) is None

    confirmed = handler(http_event("POST", f"/approve/{token}"), None, dispatched)

    assert confirmed["statusCode"] == 200
    assert [(w.task, w.user) for w in dispatched.work] == [("execute", "link")]


def test_the_function_url_serves_the_report_page_read_only(stored: Store) -> None:
    window, expires = timedelta(days=30), datetime.now(UTC) + timedelta(days=7)
    token = issue_report_token(LINK_SECRET.encode(), window, expires)
    dispatched = Dispatched()

    answer = handler(http_event("GET", f"/report/{token}"), None, dispatched)

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"].startswith("text/html")
    assert "$100.00" in answer["body"] and dispatched.work == []


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackApi]:
    with SlackApi(channels={"#finops": CHANNEL}) as api:
        monkeypatch.setenv("WATCHDOG_SLACK_BOT_TOKEN", api.token)
        monkeypatch.setenv("WATCHDOG_SLACK_API_URL", api.api_url)
        monkeypatch.setenv("WATCHDOG_SLACK_CHANNEL", "#finops")
        yield api


def test_an_update_work_event_edits_the_findings_message(stored: Store, slack: SlackApi) -> None:
    now = datetime.now(UTC)
    sender = BotSender(slack.token, slack.api_url)
    posted = notify(stored, sender, NotifyOptions(default_channel="#finops"), now, run_id="r-1")
    assert posted.posted == 1
    stored.set_finding_state("f-1", "snoozed", f"snoozed by slack:{ALICE} for 7 days", now)

    answer = handler({"watchdog_work": {"task": "update", "finding_id": "f-1"}}, None)

    assert answer == {"done": "update", "finding_id": "f-1"}
    assert [c.method for c in slack.calls].count("chat.update") == 1
    message = slack.messages()[0]
    assert "Snoozed" in message.text and f"<@{ALICE}>" in message.text


def test_dispatched_work_survives_the_trip_to_the_next_invocation(
    stored: Store, slack: SlackApi
) -> None:
    now = datetime.now(UTC)
    sender = BotSender(slack.token, slack.api_url)
    notify(stored, sender, NotifyOptions(default_channel="#finops"), now, run_id="r-1")
    message = slack.messages()[0]
    dispatched = Dispatched()
    response_url = slack.response_url(message.channel, message.ts)
    handler(approve_click(response_url=response_url), None, dispatched)
    (item,) = dispatched.work
    # What invoke_self sends: the work as JSON under "watchdog_work".
    event = json.loads(json.dumps({"watchdog_work": item.model_dump()}))

    answer = handler(event, LambdaContext(remaining_ms=900_000))

    assert answer == {"done": "execute", "finding_id": "f-1"}
    # The finding's resource is not in this account: the cycle runs nothing and says so, to the
    # clicker alone, and the channel's message says who approved.
    replies = [c for c in slack.calls if c.method == "response_url"]
    assert [r.params["response_type"] for r in replies] == ["ephemeral"]
    assert str(replies[0].params["text"]).startswith("Nothing was run:")
    assert "Approved" in slack.messages()[0].text


def deploy_function_url() -> str:
    """The function and its URL, as the template creates them (moto needs no code to run)."""
    role = boto3.client("iam", region_name="us-east-1").create_role(
        RoleName="watchdog", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("lambda_handler.py", "")
    functions = boto3.client("lambda", region_name="us-east-1")
    functions.create_function(
        FunctionName="ai-cost-watchdog",
        Runtime="python3.12",
        Role=role,
        Handler="lambda_handler.handler",
        Code={"ZipFile": code.getvalue()},
    )
    url = functions.create_function_url_config(FunctionName="ai-cost-watchdog", AuthType="NONE")
    return str(url["FunctionUrl"])


def test_without_public_url_the_links_use_the_functions_own_url(
    stored: Store, slack: SlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_demo()
    monkeypatch.delenv("WATCHDOG_PUBLIC_URL")
    function_url = deploy_function_url()
    forget()

    handler(SCHEDULER_EVENT, LambdaContext(remaining_ms=900_000))

    reviews = [
        str(element["url"])
        for message in slack.messages()
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element.get("action_id") == "review"
    ]
    assert reviews and all(
        url.startswith(f"{function_url.rstrip('/')}/approve/") for url in reviews
    )

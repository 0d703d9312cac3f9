"""Which answers the webhook retries and how long it waits, through a scripted transport; and
the settings that make a webhook (never an unsigned one, never plain http off this host)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr, ValidationError

from tests.unit.notify.deliveries import stored
from watchdog.notify.outbound import Change
from watchdog.notify.webhook import (
    Answer,
    Backoff,
    WebhookChannel,
    channel_from_settings,
    retry_after_seconds,
)
from watchdog.settings import Settings

SECRET = "k" * 32
URL = "https://hooks.example.com/watchdog?token=abc"


class Script:
    """A transport answering from a list, and a timer that only moves when slept through."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, float]] = []  # (event id, timeout)
        self.clock = 1_795_000_000.0
        self.sleeps: list[float] = []

    def __call__(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
        self.sent.append((headers["X-Watchdog-Event-Id"], timeout))
        return self.answers.pop(0) if self.answers else Answer(204)

    def time(self) -> float:
        return self.clock

    def monotonic(self) -> float:
        return self.clock

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock += seconds


def channel(script: Script, budget: float = 5.0, jitter: float = 0.0) -> WebhookChannel:
    return WebhookChannel(
        URL, SECRET, budget=budget, transport=script, timer=script, jitter=lambda: jitter
    )


def changes(*names: str) -> list[Change]:
    return [Change(stored(name), "open", None) for name in names]


NOW = datetime(2026, 11, 24, tzinfo=UTC)


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504, None])
def test_answers_that_may_pass_are_retried(status: int | None) -> None:
    script = Script(Answer(status, error="connection failed: refused"))

    delivered = channel(script).deliver(changes("a"), NOW)

    assert len(delivered.told) == 1 and delivered.calls == 2 and len(script.sleeps) == 1


@pytest.mark.parametrize("status", [301, 302, 400, 401, 403, 404, 410, 413, 422])
def test_other_answers_are_final_for_the_cycle(status: int) -> None:
    script = Script(Answer(status))

    delivered = channel(script).deliver(changes("a", "b"), NOW)

    assert delivered.failed == [f"f-a: HTTP {status}"] and script.sleeps == []
    assert [c.stored.finding.id for c in delivered.told] == ["f-b"]


def test_backoff_doubles_up_to_its_cap_with_the_upper_half_random() -> None:
    backoff = Backoff(attempts=6, base=0.25, cap=2.0)

    assert [backoff.wait(n, 0.0) for n in range(5)] == [0.125, 0.25, 0.5, 1.0, 1.0]
    assert [backoff.wait(n, 1.0) for n in range(5)] == [0.25, 0.5, 1.0, 2.0, 2.0]


def test_a_change_is_tried_four_times_then_the_rest_wait_for_next_cycle() -> None:
    script = Script(*[Answer(500)] * 4)

    delivered = channel(script, jitter=0.5).deliver(changes("a", "b"), NOW)

    assert delivered.told == [] and delivered.calls == 4
    assert script.sleeps == [0.1875, 0.375, 0.75]
    assert delivered.failed == [
        "f-a: HTTP 500 after 4 tries",
        "f-b: not sent, hooks.example.com did not take the previous event; next cycle",
    ]


def test_a_retry_after_beyond_the_budget_is_not_waited_for() -> None:
    script = Script(Answer(429, retry_after="120"))

    delivered = channel(script, budget=5.0).deliver(changes("a"), NOW)

    assert script.sleeps == [] and delivered.calls == 1
    assert delivered.failed == ["f-a: HTTP 429 (Retry-After 120); no time left to retry"]


def test_each_request_gets_at_most_what_is_left_of_the_budget() -> None:
    script = Script(Answer(503, retry_after="4"))

    channel(script, budget=5.0).deliver(changes("a"), NOW)

    assert [timeout for _, timeout in script.sent] == [3.0, 1.0]
    assert script.sent[0][0] == script.sent[1][0]  # a retry is the same event


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC).timestamp()

    assert retry_after_seconds("7", now) == 7.0
    assert retry_after_seconds("Tue, 24 Nov 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Tue, 24 Nov 2026 11:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds("", now) is None and retry_after_seconds(None, now) is None


def test_no_url_no_webhook() -> None:
    assert channel_from_settings(Settings(), None) is None


def test_the_settings_make_a_webhook_that_logs_only_its_host() -> None:
    settings = Settings(webhook_url=URL, webhook_secret=SECRET, webhook_budget_seconds=2)

    made = channel_from_settings(settings, None)

    assert made is not None and made.budget == 2 and made.timeout == 3
    assert "token" not in repr(made) and "hooks.example.com" in repr(made)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"webhook_url": URL}, "WATCHDOG_WEBHOOK_SECRET must be set with WATCHDOG_WEBHOOK_URL"),
        ({"webhook_url": URL, "webhook_secret": "short"}, "at least 32 bytes (it has 5)"),
        ({"webhook_url": "http://hooks.example.com/x", "webhook_secret": SECRET}, "https"),
        ({"webhook_url": "https://user:pw@hooks.example.com/", "webhook_secret": SECRET}, "host"),
        ({"webhook_url": "hooks.example.com", "webhook_secret": SECRET}, "URL"),
    ],
)
def test_bad_webhook_settings_are_refused_at_start_without_their_values(
    fields: dict[str, str], message: str
) -> None:
    with pytest.raises(ValidationError) as error:
        Settings.model_validate(fields)

    assert message in str(error.value)
    assert "pw@" not in str(error.value) and "short" not in str(error.value).replace(message, "")


def test_http_is_taken_for_a_loopback_receiver_and_empty_means_unset() -> None:
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]:9/h"):
        assert Settings(webhook_url=url, webhook_secret=SECRET).webhook_problem() is None
    assert Settings(webhook_url="", webhook_secret="").webhook_url is None


def test_a_secret_named_by_reference_is_checked_once_fetched(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHDOG_WEBHOOK_SECRET_PARAM", "/watchdog/webhook-secret")
    settings = Settings(webhook_url=URL)  # the secret comes later: not refused yet

    assert settings.webhook_problem() is not None
    with pytest.raises(ValueError, match="WATCHDOG_WEBHOOK_SECRET must be set"):
        channel_from_settings(settings, None)
    fetched = settings.model_copy(update={"webhook_secret": SecretStr("x" * 8)})
    assert fetched.webhook_problem() == (
        "WATCHDOG_WEBHOOK_SECRET: must be at least 32 bytes (it has 8)"
    )

"""The webhook's URL and secret named by reference (the Lambda's way): fetched like Slack's,
and checked once fetched as the start checks them when given directly."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest

from tests.functional.test_secrets import REGION, create_secret, put_parameter
from watchdog.notify.webhook import channel_from_settings
from watchdog.service import secrets
from watchdog.service.secrets import SecretsError, resolve_secrets
from watchdog.settings import Settings

URL = "https://hooks.example.com/watchdog?token=abc"
SECRET = "w" * 40


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    secrets.clear_cache()
    yield
    secrets.clear_cache()


def test_the_webhook_s_url_and_secret_are_fetched_by_reference(aws: None) -> None:
    put_parameter("/watchdog/webhook-url", URL)
    create_secret("watchdog/webhook-secret", SECRET)
    environ = {
        "WATCHDOG_WEBHOOK_URL_PARAM": "/watchdog/webhook-url",
        "WATCHDOG_WEBHOOK_SECRET_SECRET_ID": "watchdog/webhook-secret",
    }

    resolved = resolve_secrets(Settings(), environ, boto3.Session(region_name=REGION))

    made = channel_from_settings(resolved, None)
    assert made is not None and made.host == "hooks.example.com"
    assert SECRET not in repr(resolved) and "token=abc" not in repr(resolved)


def test_a_fetched_secret_too_short_is_refused_naming_the_variable_only(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_parameter("/watchdog/webhook-secret", "short-secret")
    environ = {"WATCHDOG_WEBHOOK_SECRET_PARAM": "/watchdog/webhook-secret"}
    monkeypatch.setenv("WATCHDOG_WEBHOOK_SECRET_PARAM", "/watchdog/webhook-secret")

    with pytest.raises(SecretsError) as error:
        resolve_secrets(Settings(webhook_url=URL), environ, boto3.Session(region_name=REGION))

    message = str(error.value)
    assert message == "WATCHDOG_WEBHOOK_SECRET: must be at least 32 bytes (it has 12)"
    assert "short-secret" not in message

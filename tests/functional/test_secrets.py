"""Secret settings named by SSM parameter or Secrets Manager secret, fetched once per container."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError
from pydantic import SecretStr

from watchdog.service import secrets
from watchdog.service.secrets import SecretsError, resolve_secrets
from watchdog.settings import Settings

REGION = "us-east-1"
TOKEN = "xoxb-from-ssm"
SIGNING = "signing-from-secrets-manager"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    secrets.clear_cache()
    yield
    secrets.clear_cache()


def put_parameter(name: str, value: str, region: str = REGION) -> None:
    boto3.client("ssm", region_name=region).put_parameter(
        Name=name, Value=value, Type="SecureString"
    )


def create_secret(name: str, value: str, region: str = REGION) -> str:
    client = boto3.client("secretsmanager", region_name=region)
    arn: str = client.create_secret(Name=name, SecretString=value)["ARN"]
    return arn


def counted_session() -> tuple[boto3.Session, list[str]]:
    """A session that records every API call its clients make."""
    session = boto3.Session(region_name=REGION)
    calls: list[str] = []
    session.events.register("before-parameter-build", lambda model, **_: calls.append(model.name))
    return session, calls


class NoClients:
    """A session stand-in for checking that nothing talks to AWS."""

    def __init__(self, error: ClientError | None = None) -> None:
        self.error = error
        self.created: list[str] = []

    def client(self, service: str, **_: Any) -> Any:
        self.created.append(service)
        if self.error is None:
            raise AssertionError(f"no {service} client should be created")
        return _Failing(self.error)


class _Failing:
    def __init__(self, error: ClientError) -> None:
        self.error = error

    def get_parameter(self, **_: Any) -> Any:
        raise self.error


def test_named_secrets_are_fetched_into_the_settings(aws: None) -> None:
    put_parameter("/watchdog/slack-bot-token", TOKEN)
    create_secret("watchdog/signing-secret", SIGNING)
    settings = Settings(slack_channel="#ai-costs")
    environ = {
        "WATCHDOG_SLACK_BOT_TOKEN_PARAM": "/watchdog/slack-bot-token",
        "WATCHDOG_SLACK_SIGNING_SECRET_SECRET_ID": "watchdog/signing-secret",
    }

    resolved = resolve_secrets(settings, environ, boto3.Session(region_name=REGION))

    assert isinstance(resolved.slack_bot_token, SecretStr)
    assert resolved.slack_bot_token.get_secret_value() == TOKEN
    assert resolved.slack_signing_secret is not None
    assert resolved.slack_signing_secret.get_secret_value() == SIGNING
    assert resolved.slack_channel == "#ai-costs"
    assert resolved.slack_app_token is None
    assert settings.slack_bot_token is None  # a copy; the original is untouched
    assert TOKEN not in repr(resolved)


def test_a_second_resolve_is_served_from_the_cache_without_any_aws_call(aws: None) -> None:
    put_parameter("/watchdog/link-secret", "k" * 40)
    environ = {"WATCHDOG_LINK_SECRET_PARAM": "/watchdog/link-secret"}
    session, calls = counted_session()

    first = resolve_secrets(Settings(), environ, session)
    boto3.client("ssm", region_name=REGION).delete_parameter(Name="/watchdog/link-secret")
    calls.clear()
    second = resolve_secrets(Settings(), environ, session)

    assert calls == []
    assert first.link_secret is not None and second.link_secret is not None
    assert second.link_secret.get_secret_value() == "k" * 40


def test_the_first_resolve_makes_one_call_per_secret(aws: None) -> None:
    put_parameter("/watchdog/app-token", "xapp-1")
    create_secret("watchdog/webhook", "https://hooks.slack.com/services/T/B/x")
    environ = {
        "WATCHDOG_SLACK_APP_TOKEN_PARAM": "/watchdog/app-token",
        "WATCHDOG_SLACK_WEBHOOK_URL_SECRET_ID": "watchdog/webhook",
    }
    session, calls = counted_session()

    resolve_secrets(Settings(), environ, session)

    assert sorted(calls) == ["GetParameter", "GetSecretValue"]


def test_a_missing_parameter_names_the_variable_and_the_parameter(aws: None) -> None:
    environ = {"WATCHDOG_SLACK_BOT_TOKEN_PARAM": "/watchdog/nope"}

    with pytest.raises(SecretsError) as error:
        resolve_secrets(Settings(), environ, boto3.Session(region_name=REGION))

    assert "WATCHDOG_SLACK_BOT_TOKEN_PARAM" in str(error.value)
    assert "/watchdog/nope" in str(error.value)
    assert "does not exist" in str(error.value)


def test_a_missing_secret_names_the_variable_and_the_secret(aws: None) -> None:
    environ = {"WATCHDOG_LINK_SECRET_SECRET_ID": "watchdog/nope"}

    with pytest.raises(SecretsError, match=r"WATCHDOG_LINK_SECRET_SECRET_ID: .*'watchdog/nope'"):
        resolve_secrets(Settings(), environ, boto3.Session(region_name=REGION))


def test_a_secret_given_directly_and_by_reference_is_ambiguous() -> None:
    settings = Settings(slack_bot_token=SecretStr("xoxb-direct"))
    environ = {"WATCHDOG_SLACK_BOT_TOKEN_PARAM": "/watchdog/slack-bot-token"}
    session = NoClients()

    with pytest.raises(SecretsError) as error:
        resolve_secrets(settings, environ, cast(boto3.Session, session))

    message = str(error.value)
    assert "WATCHDOG_SLACK_BOT_TOKEN and WATCHDOG_SLACK_BOT_TOKEN_PARAM" in message
    assert "xoxb-direct" not in message
    assert session.created == []


def test_a_secret_named_both_ways_is_ambiguous() -> None:
    environ = {
        "WATCHDOG_LINK_SECRET_PARAM": "/watchdog/link",
        "WATCHDOG_LINK_SECRET_SECRET_ID": "watchdog/link",
    }

    with pytest.raises(
        SecretsError, match="WATCHDOG_LINK_SECRET_PARAM and WATCHDOG_LINK_SECRET_SECRET_ID"
    ):
        resolve_secrets(Settings(), environ, cast(boto3.Session, NoClients()))


def test_without_references_the_settings_are_returned_and_no_client_is_made() -> None:
    settings = Settings(slack_bot_token=SecretStr("xoxb-direct"))
    session = NoClients()

    environ = {"WATCHDOG_SLACK_BOT_TOKEN_PARAM": "", "PATH": "/usr/bin"}
    resolved = resolve_secrets(settings, environ, cast(boto3.Session, session))

    assert resolved is settings
    assert session.created == []


def test_access_denied_says_which_permission_is_missing() -> None:
    denied = ClientError(
        {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}, "GetParameter"
    )
    environ = {"WATCHDOG_SLACK_SIGNING_SECRET_PARAM": "/watchdog/signing"}

    with pytest.raises(SecretsError) as error:
        resolve_secrets(Settings(), environ, cast(boto3.Session, NoClients(denied)))

    assert str(error.value) == (
        "WATCHDOG_SLACK_SIGNING_SECRET_PARAM: SSM parameter '/watchdog/signing': access denied "
        "(needs ssm:GetParameter, and kms:Decrypt for a SecureString)"
    )


def test_a_secret_arn_is_read_in_its_own_region(aws: None) -> None:
    arn = create_secret("watchdog/bot-token", "xoxb-eu", region="eu-west-1")
    environ = {"WATCHDOG_SLACK_BOT_TOKEN_SECRET_ID": arn}

    resolved = resolve_secrets(Settings(), environ, boto3.Session(region_name=REGION))

    assert resolved.slack_bot_token is not None
    assert resolved.slack_bot_token.get_secret_value() == "xoxb-eu"

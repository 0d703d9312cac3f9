"""The sandbox's AppConfig environments, deployments and AppConfig Data (mock_aws and server)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import moto.backend_index
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.utils import utcnow
from moto.server import ThreadedMotoServer
from watchdog_sandbox import appconfig

REGION = "us-east-1"


@pytest.fixture
def clients() -> Iterator[tuple[Any, Any]]:
    appconfig.install()
    with mock_aws():
        yield (
            boto3.client("appconfig", region_name=REGION),
            boto3.client("appconfigdata", region_name=REGION),
        )


def hosted(control: Any, text: bytes) -> dict[str, str]:
    """Application `app`, environment `prod`, hosted profile `settings` with version 1 = text."""
    app = control.create_application(Name="app")["Id"]
    env = control.create_environment(ApplicationId=app, Name="prod")["Id"]
    profile = control.create_configuration_profile(
        ApplicationId=app, Name="settings", LocationUri="hosted"
    )["Id"]
    add_version(control, app, profile, text)
    return {"app": app, "env": env, "profile": profile}


def add_version(control: Any, app: str, profile: str, text: bytes) -> str:
    version = control.create_hosted_configuration_version(
        ApplicationId=app, ConfigurationProfileId=profile, Content=text, ContentType="text/plain"
    )["VersionNumber"]
    return str(version)


def deploy(control: Any, ids: dict[str, str], version: str = "1") -> dict[str, Any]:
    result: dict[str, Any] = control.start_deployment(
        ApplicationId=ids["app"],
        EnvironmentId=ids["env"],
        DeploymentStrategyId="AppConfig.AllAtOnce",
        ConfigurationProfileId=ids["profile"],
        ConfigurationVersion=version,
    )
    return result


def session_token(data: Any, app: str = "app", env: str = "prod", profile: str = "settings") -> str:
    token: str = data.start_configuration_session(
        ApplicationIdentifier=app, EnvironmentIdentifier=env, ConfigurationProfileIdentifier=profile
    )["InitialConfigurationToken"]
    return token


def code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def test_environments_are_created_read_and_listed(clients: tuple[Any, Any]) -> None:
    control, _ = clients
    app = control.create_application(Name="app")["Id"]
    created = control.create_environment(ApplicationId=app, Name="prod", Description="live")

    read = control.get_environment(ApplicationId=app, EnvironmentId=created["Id"])
    listed = control.list_environments(ApplicationId=app)["Items"]

    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert (read["Name"], read["State"], read["Description"]) == (
        "prod",
        "ReadyForDeployment",
        "live",
    )
    assert [e["Id"] for e in listed] == [created["Id"]]
    with pytest.raises(ClientError) as error:
        control.get_environment(ApplicationId=app, EnvironmentId="nope123")
    assert code(error) == "ResourceNotFoundException"


def test_a_deployment_completes_at_once_and_is_numbered_per_environment(
    clients: tuple[Any, Any],
) -> None:
    control, _ = clients
    ids = hosted(control, b"a: 1")
    strategy = control.create_deployment_strategy(
        Name="quick", DeploymentDurationInMinutes=0, GrowthFactor=100, ReplicateTo="NONE"
    )["Id"]

    first = deploy(control, ids)
    second = control.start_deployment(
        ApplicationId=ids["app"],
        EnvironmentId=ids["env"],
        DeploymentStrategyId=strategy,
        ConfigurationProfileId=ids["profile"],
        ConfigurationVersion="1",
    )

    assert (first["DeploymentNumber"], second["DeploymentNumber"]) == (1, 2)
    assert (first["State"], first["PercentageComplete"]) == ("COMPLETE", 100.0)
    read = control.get_deployment(
        ApplicationId=ids["app"], EnvironmentId=ids["env"], DeploymentNumber=2
    )
    assert (read["DeploymentStrategyId"], read["ConfigurationName"]) == (strategy, "settings")


def test_a_deployment_needs_an_existing_version_and_strategy(clients: tuple[Any, Any]) -> None:
    control, _ = clients
    ids = hosted(control, b"a: 1")

    with pytest.raises(ClientError) as missing_version:
        deploy(control, ids, version="7")
    with pytest.raises(ClientError) as missing_strategy:
        control.start_deployment(
            ApplicationId=ids["app"],
            EnvironmentId=ids["env"],
            DeploymentStrategyId="nostrat",
            ConfigurationProfileId=ids["profile"],
            ConfigurationVersion="1",
        )

    assert code(missing_version) == code(missing_strategy) == "ResourceNotFoundException"


def test_a_session_receives_the_deployed_configuration_then_nothing_new(
    clients: tuple[Any, Any],
) -> None:
    control, data = clients
    ids = hosted(control, b"a: 1")
    deploy(control, ids)
    add_version(control, ids["app"], ids["profile"], b"a: 2")  # created, not deployed

    first = data.get_latest_configuration(ConfigurationToken=session_token(data))
    again = data.get_latest_configuration(ConfigurationToken=first["NextPollConfigurationToken"])

    assert first["Configuration"].read() == b"a: 1"
    assert (first["ContentType"], first["NextPollIntervalInSeconds"]) == ("text/plain", 60)
    assert again["Configuration"].read() == b""


def test_a_session_sees_a_newer_deployment(clients: tuple[Any, Any]) -> None:
    control, data = clients
    ids = hosted(control, b"a: 1")
    deploy(control, ids)
    first = data.get_latest_configuration(ConfigurationToken=session_token(data))

    deploy(control, ids, version=add_version(control, ids["app"], ids["profile"], b"a: 2"))
    later = data.get_latest_configuration(ConfigurationToken=first["NextPollConfigurationToken"])

    assert later["Configuration"].read() == b"a: 2"


def test_a_session_takes_ids_as_well_as_names(clients: tuple[Any, Any]) -> None:
    control, data = clients
    ids = hosted(control, b"a: 1")
    deploy(control, ids)

    token = session_token(data, ids["app"], ids["env"], ids["profile"])

    assert data.get_latest_configuration(ConfigurationToken=token)["Configuration"].read() == (
        b"a: 1"
    )


def test_a_token_is_good_for_one_call(clients: tuple[Any, Any]) -> None:
    control, data = clients
    deploy(control, hosted(control, b"a: 1"))
    token = session_token(data)
    data.get_latest_configuration(ConfigurationToken=token)

    with pytest.raises(ClientError) as reused:
        data.get_latest_configuration(ConfigurationToken=token)
    with pytest.raises(ClientError) as invented:
        data.get_latest_configuration(ConfigurationToken="not-a-token")

    assert code(reused) == code(invented) == "BadRequestException"


def test_a_token_expires_after_24_hours(clients: tuple[Any, Any]) -> None:
    control, data = clients
    deploy(control, hosted(control, b"a: 1"))
    token = session_token(data)
    state = appconfig.appconfigdata_backends["123456789012"][REGION]
    state.tokens[token].expires = utcnow() - timedelta(seconds=1)

    with pytest.raises(ClientError) as expired:
        data.get_latest_configuration(ConfigurationToken=token)

    assert code(expired) == "BadRequestException"
    assert "expired" in str(expired.value)


def test_a_missing_application_environment_or_profile_is_named(
    clients: tuple[Any, Any],
) -> None:
    control, data = clients
    deploy(control, hosted(control, b"a: 1"))

    types = []
    for app, env, profile in (
        ("nope", "prod", "settings"),
        ("app", "nope", "settings"),
        ("app", "prod", "nope"),
    ):
        with pytest.raises(ClientError) as error:
            session_token(data, app, env, profile)
        assert code(error) == "ResourceNotFoundException"
        types.append(error.value.response.get("ResourceType"))

    assert types == ["Application", "Environment", "ConfigurationProfile"]


def test_nothing_deployed_is_not_found_and_leaves_the_token_usable(
    clients: tuple[Any, Any],
) -> None:
    control, data = clients
    ids = hosted(control, b"a: 1")
    token = session_token(data)

    with pytest.raises(ClientError) as error:
        data.get_latest_configuration(ConfigurationToken=token)
    deploy(control, ids)

    assert code(error) == "ResourceNotFoundException"
    assert data.get_latest_configuration(ConfigurationToken=token)["Configuration"].read() == (
        b"a: 1"
    )


def test_the_poll_interval_is_the_sessions_and_bounded(clients: tuple[Any, Any]) -> None:
    control, data = clients
    deploy(control, hosted(control, b"a: 1"))
    token = data.start_configuration_session(
        ApplicationIdentifier="app",
        EnvironmentIdentifier="prod",
        ConfigurationProfileIdentifier="settings",
        RequiredMinimumPollIntervalInSeconds=300,
    )["InitialConfigurationToken"]

    answer = data.get_latest_configuration(ConfigurationToken=token)

    assert answer["NextPollIntervalInSeconds"] == 300


def test_install_is_idempotent() -> None:
    appconfig.install()
    appconfig.install()

    names = [name for name, _ in moto.backend_index.backend_url_patterns]
    assert names.count("appconfigdata") == 1


def test_server_mode_serves_the_deployed_configuration() -> None:
    appconfig.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        control = boto3.client("appconfig", region_name=REGION, endpoint_url=url)
        data = boto3.client("appconfigdata", region_name=REGION, endpoint_url=url)
        deploy(control, hosted(control, b"a: 1"))

        answer = data.get_latest_configuration(ConfigurationToken=session_token(data))

        assert answer["Configuration"].read() == b"a: 1"
    finally:
        server.stop()

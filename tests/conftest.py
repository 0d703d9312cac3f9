"""Guards shared by every test: no test can reach real AWS or use a developer's profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.client
import botocore.hooks
import botocore.loaders
import botocore.model
import botocore.session
import pytest

from watchdog.logs import configure_logging

# Warnings and errors only, as JSON: readable in a failure report, quiet otherwise.
configure_logging("json", "warning")

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    # moto fills every EC2 region backend it creates with its default AMIs (hundreds, with ids
    # drawn at random a character at a time): about 0.2 s of CPU per account and region, in any
    # test that touches EC2 or restores the demo. Nothing the watchdog or its tests do reads an
    # AMI. Servers the tests start inherit it; `make demo` keeps moto's default.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}

_create_loader = botocore.loaders.create_loader
_loaders: dict[str | None, botocore.loaders.Loader] = {}


def _shared_loader(search_path_string: str | None = None) -> botocore.loaders.Loader:
    """One botocore data loader per search path for the whole test process.

    Every botocore session gets a loader of its own, which parses each service's model JSON
    again (EC2's alone is megabytes), and tests make many sessions: `mock_aws` resets boto3's
    default session, and the code under test opens sessions per account and per command. That
    parsing was half the CPU of `make test-fast`. A loader's results are read-only (one session
    already shares them between all its clients), so sharing it changes no answer."""
    loader = _loaders.get(search_path_string)
    if loader is None:
        loader = _loaders[search_path_string] = _create_loader(search_path_string)
    return loader


# A private botocore method: should a botocore release rename it, the suite runs unpatched
# (slower), not broken.
_create_client_class = getattr(botocore.client.ClientCreator, "_create_client_class", None)
_client_classes: dict[tuple[object, ...], type] = {}


def _shared_client_class(
    creator: botocore.client.ClientCreator, service_name: str, service_model: Any
) -> type:
    """One botocore client class per service (and class-building handlers) for the process.

    Every client creation builds its class anew: a method per operation of the service (EC2 and
    SageMaker have hundreds) and a new type, about half the CPU of making a client, and the tests
    and the code under test make thousands of clients. The class holds only those methods, made
    from the (shared, read-only) service model; a client's state (endpoint, credentials, event
    hooks, the mock's stub) is its instance's. The handlers that may change the class
    (`creating-client-class.*`) are part of the key, so a session with other handlers gets a
    class of its own."""
    handlers = creator._event_emitter._emitter._handlers  # type: ignore[attr-defined]
    event = f"creating-client-class.{service_model.service_id.hyphenize()}"
    key = (service_name, service_model.api_version, *handlers.prefix_search(event))
    cls = _client_classes.get(key)
    if cls is None:
        assert _create_client_class is not None  # patched in only when it exists
        cls = _client_classes[key] = _create_client_class(creator, service_name, service_model)
    return cls


_load_service_model = botocore.client.ClientCreator._load_service_model
_service_models: dict[tuple[int, str], tuple[Any, botocore.model.ServiceModel]] = {}


def _shared_service_model(
    creator: botocore.client.ClientCreator, service_name: str, api_version: str | None = None
) -> botocore.model.ServiceModel:
    """One botocore ServiceModel per loaded model for the process.

    Each client builds its own from the (shared) model JSON, and with it, lazily, its shapes and
    operation models, and at creation botocore asks it for its endpoint-discovery operation,
    which builds all of them (SageMaker has 400): 2% of `make test-fast`. Nothing in botocore,
    boto3 or moto changes a service model once made."""
    json_model = creator._loader.load_service_model(  # type: ignore[attr-defined]
        service_name, "service-2", api_version=api_version
    )
    kept = _service_models.get((id(json_model), service_name))
    if kept is None or kept[0] is not json_model:
        model = _load_service_model(creator, service_name, api_version)
        kept = _service_models[(id(json_model), service_name)] = (json_model, model)
    return kept[1]


_init_aliaser = botocore.hooks.EventAliaser.__init__
_aliased_names: dict[str, str] = {}


def _aliaser_sharing_names(
    aliaser: botocore.hooks.EventAliaser, event_emitter: Any, event_aliases: Any = None
) -> None:
    """Every event aliaser with botocore's own aliases shares one cache of aliased names.

    Each session and client starts an empty cache, so each of a new session's 200 built-in
    handlers is aliased afresh, a scan over every alias: 4% of `make test-fast`'s CPU. An
    aliased name depends on nothing but the name and the aliases (a client's aliaser is a copy
    of its session's, with a copy of the aliases)."""
    _init_aliaser(aliaser, event_emitter, event_aliases)
    if event_aliases is None or event_aliases == botocore.hooks.EVENT_ALIASES:
        aliaser._alias_name_cache = _aliased_names  # type: ignore[attr-defined]


@pytest.fixture(autouse=True, scope="session")
def shared_botocore_loader() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.session, "create_loader", _shared_loader)
        patch.setattr(botocore.hooks.EventAliaser, "__init__", _aliaser_sharing_names)
        patch.setattr(botocore.client.ClientCreator, "_load_service_model", _shared_service_model)
        if _create_client_class is not None:
            patch.setattr(
                botocore.client.ClientCreator, "_create_client_class", _shared_client_class
            )
        yield


@pytest.fixture(autouse=True)
def default_logging() -> Iterator[None]:
    """A test that configures logging (as entry points do) leaves no trace on the next one."""
    yield
    configure_logging("json", "warning")


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # A cache of its own for every test (platformdirs reads XDG_CACHE_HOME), never the
    # developer's: kept prices and descriptions are a run's reuse, not a test's input.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in [n for n in __import__("os").environ if n.startswith("WATCHDOG_")]:
        monkeypatch.delenv(name)

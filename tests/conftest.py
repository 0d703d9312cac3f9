"""Guards shared by every test: no test can reach real AWS or use a developer's profile."""

from __future__ import annotations

from collections.abc import Iterator

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
}


@pytest.fixture(autouse=True)
def default_logging() -> Iterator[None]:
    """A test that configures logging (as entry points do) leaves no trace on the next one."""
    yield
    configure_logging("json", "warning")


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    for name in [n for n in __import__("os").environ if n.startswith("WATCHDOG_")]:
        monkeypatch.delenv(name)

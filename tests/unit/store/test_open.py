"""open_store: WATCHDOG_STORE URLs to backends, and one-line errors for anything else."""

from __future__ import annotations

from pathlib import Path

import boto3
import platformdirs
import pytest

from watchdog.store import StoreError, open_store
from watchdog.store.dynamodb import DynamoStore
from watchdog.store.sqlite import SqliteStore


def sqlite_path(url: str | None) -> str:
    store = open_store(url)
    assert isinstance(store, SqliteStore)
    store.close()
    return store.path


def test_the_default_is_sqlite_under_the_user_state_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []

    def user_state_dir(app: str) -> str:
        seen.append(app)
        return str(tmp_path / "state" / app)

    monkeypatch.setattr(platformdirs, "user_state_dir", user_state_dir)

    for url in (None, ""):
        path = Path(sqlite_path(url))
        assert path == tmp_path / "state" / "ai-cost-watchdog" / "watchdog.db"
        assert path.is_file()  # created, with its directories
    assert seen == ["ai-cost-watchdog", "ai-cost-watchdog"]


def test_sqlite_urls_name_absolute_relative_and_home_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))

    assert sqlite_path(f"sqlite://{tmp_path}/abs/w.db") == f"{tmp_path}/abs/w.db"
    assert sqlite_path("sqlite://rel/w.db") == "rel/w.db"
    assert (tmp_path / "rel" / "w.db").is_file()
    assert sqlite_path("sqlite://~/w.db") == f"{tmp_path}/home/w.db"
    assert sqlite_path("sqlite://:memory:") == ":memory:"


def test_dynamodb_urls_use_the_session_region_and_send_nothing() -> None:
    store = open_store("dynamodb://watchdog-state", session=boto3.Session(region_name="eu-west-1"))

    assert isinstance(store, DynamoStore)
    assert store.table == "watchdog-state"
    assert store._client.meta.region_name == "eu-west-1"


def test_dynamodb_takes_the_region_from_the_environment() -> None:
    store = open_store("dynamodb://watchdog-state")  # AWS_DEFAULT_REGION=us-east-1 in tests
    assert isinstance(store, DynamoStore) and store._client.meta.region_name == "us-east-1"


def test_dynamodb_without_a_region_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/config")
    with pytest.raises(StoreError, match="needs an AWS region"):
        open_store("dynamodb://watchdog-state")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgres://db/watchdog", "unsupported store URL 'postgres://db/watchdog': use sqlite"),
        ("/var/lib/watchdog.db", "unsupported store URL"),
        ("sqlite://", "names no file"),
        ("dynamodb://", "is not a DynamoDB table name"),
        ("dynamodb://ab", "is not a DynamoDB table name"),
        ("dynamodb://table/with/path", "is not a DynamoDB table name"),
    ],
)
def test_anything_else_is_a_one_line_store_error(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as raised:
        open_store(url)
    assert "\n" not in str(raised.value)

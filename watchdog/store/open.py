"""`open_store`: the WATCHDOG_STORE URL to a Store.

    (unset)                 SQLite at <user state dir>/watchdog.db (zero set-up)
    sqlite:///abs/path.db   SQLite at /abs/path.db; everything after `sqlite://` is the path,
                            so sqlite://relative.db is relative and sqlite://~/w.db expands ~
    dynamodb://table-name   DynamoDB, region (and credentials) from the boto3 session

The DynamoDB client is created here but nothing is sent until the store is used, so a Lambda
cold start pays no extra call; a missing table surfaces as a StoreError on first use.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import boto3
import platformdirs

from watchdog.aws.clients import CLIENT_CONFIG
from watchdog.cache import APP_NAME
from watchdog.store.base import Retention, Store, StoreError

# Each backend is imported when a URL names it: the Lambda (DynamoDB) loads no SQLite code and
# the CLI (SQLite) no DynamoDB code.

SQLITE = "sqlite://"
DYNAMODB = "dynamodb://"
DEFAULT_FILE = "watchdog.db"
# DynamoDB's own rule for table names.
TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")
USAGE = "use sqlite:///path/to/watchdog.db or dynamodb://table-name"


def default_store_path() -> Path:
    """Where the SQLite store lives when nothing is configured (~/.local/state/... on Linux)."""
    return Path(platformdirs.user_state_dir(APP_NAME)) / DEFAULT_FILE


def open_store(
    url: str | None,
    *,
    session: boto3.Session | None = None,
    retention: Retention | None = None,
    read_only: bool = False,
) -> Store:
    """The store `url` names; StoreError with a one-line message if it names none.

    `read_only` is for commands that only read (audit, findings): a SQLite file whose folder
    cannot be written (a read-only file system, a shared folder) is then opened read-only
    instead of failing on the write-ahead log's files and the schema check's transaction."""
    if not url:
        return _sqlite(str(default_store_path()), read_only)
    if url.startswith(SQLITE):
        return _sqlite(_sqlite_path(url), read_only)
    if url.startswith(DYNAMODB):
        return _dynamodb(url, session, retention)
    raise StoreError(f"unsupported store URL {url!r}: {USAGE}")


def _sqlite(path: str, read_only: bool = False) -> Store:
    """The SQLite store; a folder that cannot be made or written is a StoreError, not a trace."""
    from watchdog.store.sqlite import MEMORY, SqliteStore

    folder = Path(path).parent
    if read_only and path != MEMORY and folder.is_dir() and not os.access(folder, os.W_OK):
        return SqliteStore(path, read_only=True)
    try:
        return SqliteStore(path)
    except OSError as error:
        if isinstance(error, (FileExistsError, NotADirectoryError)):
            why = f"{error.filename} is not a directory"
        elif isinstance(error, PermissionError):
            why = f"permission denied on {error.filename}"
        else:
            why = error.strerror or str(error)
        raise StoreError(f"cannot open the SQLite store {path}: {why}") from error


def _sqlite_path(url: str) -> str:
    path = url.removeprefix(SQLITE)
    if not path:
        raise StoreError(f"store URL {url!r} names no file: {USAGE}")
    from watchdog.store.sqlite import MEMORY

    if path == MEMORY:
        return path
    return str(Path(path).expanduser())


def _dynamodb(url: str, session: boto3.Session | None, retention: Retention | None) -> Store:
    table = url.removeprefix(DYNAMODB)
    if not TABLE_NAME.match(table):
        raise StoreError(
            f"store URL {url!r}: {table!r} is not a DynamoDB table name "
            "(3-255 letters, digits, '_', '-', '.')"
        )
    base = session or boto3.Session()
    if not base.region_name:
        raise StoreError(
            f"store URL {url!r} needs an AWS region: set AWS_REGION or AWS_DEFAULT_REGION"
        )
    client = base.client("dynamodb", config=CLIENT_CONFIG)
    from watchdog.store.dynamodb import DynamoStore

    return DynamoStore(client, table, retention)

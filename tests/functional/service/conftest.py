"""Fixtures of the service tests: a store holding finding f-1, a local Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from watchdog_sandbox.slack_api import SlackApi

from tests.functional.service.routes import ALICE, APPROVERS
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import NOW
from watchdog.store.base import Store
from watchdog.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    opened.save_findings("r-1", [finding()], NOW - timedelta(hours=1))
    yield opened
    opened.close()


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    with SlackApi(groups={APPROVERS: [ALICE, "U0CAROL001"]}) as api:
        yield api

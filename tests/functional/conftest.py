"""Functional tests: the public API against moto in-process, with the sandbox additions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import watchdog_sandbox as sandbox
from moto import mock_aws


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process AWS (moto plus the project's additions) for one test."""
    sandbox.install()
    with mock_aws():
        yield


def organization_env(cache_dir: Path) -> dict[str, str]:
    """Settings that scan the seeded demo organization over both demo regions."""
    from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, MEMBER_ROLE_NAME

    return {
        "WATCHDOG_REGIONS": "us-east-1,us-west-2",
        "WATCHDOG_ACCOUNTS": "organization",
        "WATCHDOG_MEMBER_ROLE": MEMBER_ROLE_NAME,
        "WATCHDOG_EXTERNAL_ID": DEMO_EXTERNAL_ID,
        "WATCHDOG_CACHE_DIR": str(cache_dir),
    }

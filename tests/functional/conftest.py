"""Functional tests: the public API against moto in-process, with the sandbox additions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws

from watchdog import sandbox


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh in-process AWS (moto plus the project's additions) for one test."""
    sandbox.install()
    with mock_aws():
        yield

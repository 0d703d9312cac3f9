"""The cycle collector's oldest generation is walked less often in a process that runs plans."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from watchdog.collector import MIDDLE_COLLECTIONS_PER_FULL, collect_fully_less_often


@pytest.fixture(autouse=True)
def thresholds_restored() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_only_the_oldest_generations_threshold_changes() -> None:
    gc.set_threshold(900, 12, 10)

    collect_fully_less_often()

    assert gc.get_threshold() == (900, 12, MIDDLE_COLLECTIONS_PER_FULL)

"""A process that runs plans walks its oldest generation less often and hands the interpreter
over to a waiting thread after 1 ms, set before any command runs."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from watchdog.cli import main as cli_main
from watchdog.collector import MIDDLE_COLLECTIONS_PER_FULL
from watchdog.switching import SWITCH_INTERVAL_S


@pytest.fixture(autouse=True)
def process_settings_restored() -> Iterator[None]:
    thresholds, interval = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(interval)


def test_the_command_line_sets_both_before_running_a_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gc.set_threshold(700, 10, 10)
    sys.setswitchinterval(0.005)
    seen: list[tuple[tuple[int, int, int], float]] = []
    monkeypatch.setattr(
        cli_main,
        "cli",
        lambda prog_name: seen.append((gc.get_threshold(), sys.getswitchinterval())),
    )

    cli_main.main()

    assert seen == [((700, 10, MIDDLE_COLLECTIONS_PER_FULL), pytest.approx(SWITCH_INTERVAL_S))]

"""A process that runs plans hands the interpreter over to a waiting thread after 1 ms."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from watchdog.cli import main as cli_main
from watchdog.switching import SWITCH_INTERVAL_S


@pytest.fixture(autouse=True)
def interval_restored() -> Iterator[None]:
    saved = sys.getswitchinterval()
    yield
    sys.setswitchinterval(saved)


def test_the_command_line_sets_it_before_running_a_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sys.setswitchinterval(0.005)
    seen: list[float] = []
    monkeypatch.setattr(cli_main, "cli", lambda prog_name: seen.append(sys.getswitchinterval()))

    cli_main.main()

    assert seen == [pytest.approx(SWITCH_INTERVAL_S)]

"""The shared asynchronous-transition helper: reads AND seconds, defaults, overrides."""

from __future__ import annotations

import pytest
from watchdog_sandbox import transitions
from watchdog_sandbox.transitions import AsyncStatus


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_given_defaults_when_a_transition_begins_then_two_reads_see_the_interim_status() -> None:
    status = AsyncStatus("InService")
    status.begin("Deleting", "Deleted")

    assert [status.observe() for _ in range(4)] == ["Deleting", "Deleting", "Deleted", "Deleted"]


def test_given_zero_reads_when_observed_then_the_final_status_is_immediate() -> None:
    transitions.configure(reads=0)
    status = AsyncStatus("InService")
    status.begin("Deleting", "Deleted")

    assert status.observe() == "Deleted"


def test_given_a_vanishing_transition_when_completed_then_the_status_is_none() -> None:
    transitions.configure(reads=1)
    status = AsyncStatus("InService")
    status.begin("Deleting", None)

    assert [status.observe(), status.observe()] == ["Deleting", None]


def test_given_seconds_when_reads_are_done_then_the_interim_status_lasts_until_due() -> None:
    clock = FakeClock()
    transitions.configure(reads=1, seconds=30, clock=clock)
    status = AsyncStatus("InService")
    status.begin("Deleting", "Deleted")

    assert [status.observe(), status.observe()] == ["Deleting", "Deleting"]
    clock.now += 30
    assert status.observe() == "Deleted"


def test_given_time_has_passed_when_reads_are_missing_then_the_interim_status_stays() -> None:
    clock = FakeClock()
    transitions.configure(reads=2, seconds=1, clock=clock)
    status = AsyncStatus("InService")
    status.begin("Deleting", "Deleted")
    clock.now += 60

    assert status.observe() == "Deleting"


def test_given_peeks_when_counting_then_only_observations_count() -> None:
    status = AsyncStatus("InService")
    status.begin("Deleting", "Deleted")

    assert [status.peek() for _ in range(5)] == ["Deleting"] * 5
    assert status.in_transition


def test_given_env_vars_when_no_override_then_they_are_the_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(transitions.READS_ENV, "5")
    monkeypatch.setenv(transitions.SECONDS_ENV, "1.5")

    assert transitions.current_settings() == transitions.TransitionSettings(reads=5, seconds=1.5)


def test_given_an_override_when_the_block_ends_then_the_previous_settings_return() -> None:
    transitions.configure(reads=7)
    with transitions.overridden(reads=0, seconds=0):
        assert transitions.current_settings().reads == 0
    assert transitions.current_settings().reads == 7


def test_given_a_transition_in_flight_when_settings_change_then_it_keeps_its_own() -> None:
    status = AsyncStatus("InService")
    status.begin("Deleting", "Deleted")
    transitions.configure(reads=0)

    assert status.observe() == "Deleting"


def test_given_negative_reads_when_configured_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="reads and seconds"):
        transitions.configure(reads=-1)


def test_given_a_transition_when_set_directly_then_it_is_cancelled() -> None:
    status = AsyncStatus("InService")
    status.begin("Deleting", None)
    status.set("Failed")

    assert [status.observe() for _ in range(3)] == ["Failed"] * 3

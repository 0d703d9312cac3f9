"""The default channel is always one alerts may go to, whatever WATCHDOG_SLACK_CHANNELS lists."""

from __future__ import annotations

from watchdog.notify.deliver import Route, route


def test_an_owner_naming_the_default_channel_is_routed_there_without_a_note() -> None:
    """The shipped policies' default owner is "#ai-cost-watchdog", often the default channel
    too: an untagged resource's alert must not call its own channel one it may not go to."""
    assert route("#finops", "#finops") == Route("#finops")
    assert route("finops", "#finops") == Route("#finops")
    assert route("#finops", "C0DEFAULT1").mention == "#finops (not a channel alerts may go to)"

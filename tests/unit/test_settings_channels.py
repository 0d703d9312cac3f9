"""WATCHDOG_SLACK_CHANNELS: the channels an owner tag may route alerts to, read as a set, and a
mistake in it named by the variable, as every setting's is."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from watchdog.cli.settings_errors import describe_problem
from watchdog.settings import Settings


def test_ids_and_names_are_read_as_a_set_without_hashes() -> None:
    settings = Settings(slack_channels=" C0123ABCD, #ml-team ,,risk_ml")
    assert settings.slack_channel_set() == frozenset({"C0123ABCD", "ml-team", "risk_ml"})
    assert Settings().slack_channel_set() == frozenset()


@pytest.mark.parametrize("entry", ["bob@example.com", "<!channel>", "ml team", "<#C0123ABCD>"])
def test_anything_but_a_channel_is_refused_by_the_variables_name(entry: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(slack_channels=f"C0123ABCD,{entry}")
    (problem,) = [describe_problem(detail, set()) for detail in refused.value.errors()]
    assert problem.startswith("WATCHDOG_SLACK_CHANNELS: ")
    assert f"{entry!r} is not a channel" in problem

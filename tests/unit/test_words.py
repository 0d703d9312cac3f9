"""One pluralising helper (issue #13, 10): no "1 steps" anywhere it is used."""

from __future__ import annotations

import json

from tests.unit.act.test_admission_rules import finding
from watchdog.notify.blocks import finding_message
from watchdog.words import plural, some_of


def test_plural() -> None:
    assert [plural(n, "step") for n in (0, 1, 2)] == ["0 steps", "1 step", "2 steps"]
    assert plural(2, "policy", "policies") == "2 policies"


def test_a_one_step_alert_says_1_step() -> None:
    text = json.dumps(finding_message(finding()).blocks)

    assert "teardown: 1 step" in text and "1 steps" not in text


def test_some_of_names_a_few_and_counts_the_rest() -> None:
    assert some_of([]) == ""
    assert some_of(["a", "b", "c", "d"]) == "a, b, c, d"  # "and 1 more" is no shorter
    names = [f"config-{i}" for i in range(200)]
    assert some_of(names) == "config-0, config-1, config-2 and 197 more"


def test_some_of_words_only_the_names_it_shows() -> None:
    worded: list[str] = []

    def name(arn: str) -> str:
        worded.append(arn)
        return arn.upper()

    assert some_of([f"m{i}" for i in range(200)], name=name) == "M0, M1, M2 and 197 more"
    assert worded == ["m0", "m1", "m2"]

"""What a process that runs plans sets for itself before its first one: its cycle collector
walks the oldest generation less often (watchdog.collector), and a thread waiting for the
interpreter gets it sooner (watchdog.switching). `ai-watchdog`, the Lambda and the benches call
this one function, so a bench measures the process a user runs."""

from __future__ import annotations

from watchdog.collector import collect_fully_less_often
from watchdog.switching import hand_over_sooner


def tune_for_plans() -> None:
    collect_fully_less_often()  # a plan holds a million objects
    hand_over_sooner()  # its threads mostly wait on AWS

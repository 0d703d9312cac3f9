"""template.yaml's schedules: the cycle's (on the function, or on the state machine with
FanOut=true) and the parking tick's, whose input the function must take for a parking event."""

from __future__ import annotations

import json
from typing import Any

from tests.unit.sam import deploy, of_type, sam_template
from watchdog.service.lambda_events import is_fanout, is_parking

__all__ = ["deploy", "sam_template"]  # fixtures, used by name

FUNCTION = {"Fn::GetAtt": ["WatchdogFunction", "Arn"]}
DEAD_LETTERS = {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}


def schedules(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each schedule's properties, by the event name SAM builds it from."""
    found = of_type(template, "AWS::Scheduler::Schedule")
    return {name: resource["Properties"] for name, resource in found.items()}


def test_given_defaults_then_the_cycle_schedule_runs_the_function_with_retries_and_a_dlq(
    deploy: Any,
) -> None:
    template = deploy()

    cycle = schedules(template)["WatchdogFunctionSchedule"]
    assert cycle["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    assert cycle["ScheduleExpressionTimezone"] == {"Ref": "ScheduleTimezone"}
    assert cycle["State"] == "ENABLED"
    assert cycle["Target"]["Arn"] == FUNCTION
    assert "Input" not in cycle["Target"]  # Scheduler's own event: a cycle
    assert cycle["Target"]["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert cycle["Target"]["DeadLetterConfig"] == DEAD_LETTERS
    assert template["Parameters"]["ScheduleExpression"] == "rate(1 hour)"
    assert of_type(template, "AWS::StepFunctions::StateMachine") == {}


def test_the_parking_schedule_sends_the_event_the_function_takes_for_parking(
    deploy: Any,
) -> None:
    for fan_out in ("false", "true"):
        template = deploy(FanOut=fan_out)

        parking = schedules(template)["WatchdogFunctionParking"]
        assert parking["Target"]["Arn"] == FUNCTION
        event = json.loads(parking["Target"]["Input"])
        assert is_parking(event) and not is_fanout(event)
        assert parking.get("State", "ENABLED") == "ENABLED"  # a fanned-out cycle parks too
        assert parking["ScheduleExpression"] == {"Ref": "ParkingSchedule"}
        assert parking["Target"]["DeadLetterConfig"] == DEAD_LETTERS
    assert template["Parameters"]["ParkingSchedule"] == "rate(15 minutes)"


def test_fan_out_schedules_the_state_machine_instead_of_the_function(deploy: Any) -> None:
    template = deploy(FanOut="true")

    found = schedules(template)
    function = found["WatchdogFunctionSchedule"]
    machine = found["FanOutStateMachineSchedule"]
    assert function["State"] == "DISABLED"
    assert machine["Target"]["Arn"] == {"Ref": "FanOutStateMachine"}
    assert machine.get("State", "ENABLED") == "ENABLED"
    assert machine["Target"]["DeadLetterConfig"] == DEAD_LETTERS
    assert machine["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    [state_machine] = of_type(template, "AWS::StepFunctions::StateMachine").values()
    assert state_machine["Properties"]["StateMachineType"] == "STANDARD"

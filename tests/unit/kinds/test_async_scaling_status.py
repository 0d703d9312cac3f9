"""An asynchronous endpoint's scaling status: parked once no lowered minimum keeps an instance,
back only once every one does (a resume that died after its first variant is not back)."""

from __future__ import annotations

from typing import Any

from watchdog.kinds._async_endpoint_parking import (
    KEEPS_INSTANCES,
    NOT_AUTO_SCALED,
    SCALES_TO_ZERO,
    scaling_status,
)
from watchdog.kinds._operation import RECORDED


def targets(**minimums: int) -> list[dict[str, Any]]:
    return [
        {"ResourceId": f"endpoint/e/variant/{v}", "MinCapacity": m} for v, m in minimums.items()
    ]


def test_a_park_is_done_once_no_minimum_keeps_an_instance() -> None:
    assert scaling_status({"ScalableTargets": targets(a=1, b=0)}) == KEEPS_INSTANCES
    assert scaling_status({"ScalableTargets": targets(a=0, b=0)}) == SCALES_TO_ZERO
    assert scaling_status({"ScalableTargets": []}) == NOT_AUTO_SCALED


def test_a_resume_is_back_only_when_every_lowered_minimum_is() -> None:
    parked = {"ScalableTargets": targets(a=2, b=1)}
    half = {"ScalableTargets": targets(a=2, b=0), RECORDED: parked}
    whole = {"ScalableTargets": targets(a=2, b=1), RECORDED: parked}

    assert scaling_status(half) == SCALES_TO_ZERO
    assert scaling_status(whole) == KEEPS_INSTANCES


def test_a_target_the_park_did_not_lower_does_not_count_for_the_resume() -> None:
    parked = {"ScalableTargets": targets(a=2, b=0)}  # b was at zero already: not lowered
    back = {"ScalableTargets": targets(a=2, b=0), RECORDED: parked}
    assert scaling_status(back) == KEEPS_INSTANCES

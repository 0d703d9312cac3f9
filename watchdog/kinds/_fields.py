"""Small pure helpers shared by kind modules to read AWS answers into record fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from watchdog.kinds.base import Operation, Teardown
from watchdog.records import IdleShutdown, ResourceRecord
from watchdog.signals.models import PriceComponent, PriceKey, PriceUnits


def tag_dict(tags: list[Mapping[str, str]] | None) -> dict[str, str]:
    """SageMaker's [{"Key": k, "Value": v}] as a plain dict (its Tag shape spells them so)."""
    return {tag["Key"]: tag.get("Value", "") for tag in tags or []}


def present(answer: Mapping[str, Any], **fields: str) -> dict[str, str]:
    """Record attributes from an AWS answer: `attribute=AnswerField`, each one that is set."""
    return {key: str(answer[field]) for key, field in fields.items() if answer.get(field)}


def idle_shutdown(user_settings: Mapping[str, Any] | None) -> IdleShutdown | None:
    """Studio's idle shutdown from UserSettings/DefaultUserSettings.

    JupyterLab's setting is the one that matters most (it is where notebooks run); Code Editor's
    is used when JupyterLab has none. None means the level configures nothing and inherits.
    """
    for app_settings in ("JupyterLabAppSettings", "CodeEditorAppSettings"):
        idle = (
            (user_settings or {})
            .get(app_settings, {})
            .get("AppLifecycleManagement", {})
            .get("IdleSettings")
        )
        if idle and "LifecycleManagement" in idle:
            return IdleShutdown(
                enabled=idle["LifecycleManagement"] == "ENABLED",
                idle_timeout_minutes=idle.get("IdleTimeoutInMinutes"),
            )
    return None


def instance_hours(record: ResourceRecord, component: PriceComponent) -> tuple[PriceUnits, ...]:
    """One instance type running `instance_count` instances, priced as `component`."""
    if not record.instance_type or not record.instance_count:
        return ()
    key = PriceKey(component=component, region=record.region, unit=record.instance_type)
    return (PriceUnits(key=key, count=record.instance_count),)


# Studio domains, user profiles and spaces share AWS's states and deletion rules.
STUDIO_DELETABLE = frozenset({"InService", "Failed", "Update_Failed", "Delete_Failed"})


def studio_teardown(
    op: str,
    what: str,
    invoke: Callable[[Any, ResourceRecord], None],
    describe: Callable[[Any, ResourceRecord], dict[str, Any] | None],
) -> Teardown:
    return Teardown(
        delete=Operation(
            op,
            STUDIO_DELETABLE,
            f"{what} can be deleted once it is InService or has failed",
            invoke=invoke,
        ),
        done_states=frozenset({"Deleting"}),
        in_progress=frozenset({"Deleting"}),
        status_field="Status",
        describe=describe,
    )

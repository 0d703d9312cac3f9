"""The JSON Schema of a policy file, as authors write it, for editor completion and checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from watchdog.policies.schema import PolicyFile, format_duration


def policy_json_schema() -> dict[str, Any]:
    """The JSON Schema of a policy file, for editors (completion and checks while typing)."""
    schema = PolicyFile.model_json_schema(schema_generator=_AsWritten)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "ai-cost-watchdog policy file",
        **{key: value for key, value in schema.items() if key != "title"},
    }


class _AsWritten(GenerateJsonSchema):
    """Durations and clock times as policy authors write them. Pydantic's defaults would document
    ISO 8601 ('P7D', format "duration") and RFC 3339 times (which need seconds and an offset),
    and editors would then flag the '7d' and '20:00' that the loader accepts."""

    def timedelta_schema(self, schema: core_schema.TimedeltaSchema) -> JsonSchemaValue:
        return {"type": "string"}  # the Duration field adds its pattern

    def time_schema(self, schema: core_schema.TimeSchema) -> JsonSchemaValue:
        return {"type": "string", "pattern": _CLOCK_PATTERN}

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


_CLOCK_PATTERN = r"^([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"

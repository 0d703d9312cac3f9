"""moto's response serializer, with its attribute-name guesses remembered.

For every member of every structure in an answer, moto's serializer asks six alias providers
which attribute names the value might be under (the member's own, its snake_case form, a
prefix-less form, the model's wire name...), building a provider object per question. For a
SageMaker Search page of 100 endpoints that was most of the sandbox's 99 ms of serializing, and
half of the sandbox's CPU in a 1,000-endpoint plan (py-spy on bench/plan.py). The names guessed
depend only on what is looked at: the picker, the service, the value's type, and the member's
key, shape and parent shape. So each guess is made once and reused; what is read from the value,
and so every answer, is unchanged.

Then the question itself is skipped: for every member moto builds a context object and joins
the member's path into a string (used only by a picker's response transformers), and asks the
picker. The serializer's `get_value` now looks the remembered names up directly, in the same
order, when the picker is moto's own and transforms nothing; any other picker is asked as
before. Measured in the server process of a 1,000-endpoint sandbox, one request at a time,
twice each: a Search page of 100 endpoints 88.4 / 88.9 -> 68.5 / 66.5 ms of CPU, a
DescribeEndpointConfig 2.25 / 2.35 -> 2.12 / 2.03 ms. Every answer is unchanged
(tests/functional/sandbox/test_moto_serializer.py compares them with moto's own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from moto.core.constants import MISSING
from moto.core.model import Shape
from moto.core.serialize import (
    AttributePicker,
    AttributePickerContext,
    ResponseSerializer,
    XFormedAttributePicker,
)
from moto.core.utils import get_value as value_under

from watchdog_sandbox import sagemaker_common as common

_TAG = "_watchdog_sandbox_remembered_keys"
_REMEMBERED: dict[tuple[Any, ...], tuple[str, ...]] = {}
_PICKERS = (AttributePicker, XFormedAttributePicker)

Guess = Callable[[AttributePicker, AttributePickerContext], Iterator[str]]
Pick = Callable[[ResponseSerializer, Any, str, Shape], Any]


def install() -> None:
    for picker in _PICKERS:
        common.wrap_method(picker, "get_possible_keys", _TAG, _remembering(picker))
    common.wrap_method(ResponseSerializer, "get_value", _TAG, _picking_remembered)


def _picking_remembered(original: Pick) -> Pick:
    def get_value(self: ResponseSerializer, value: Any, key: str, shape: Shape) -> Any:
        picker = self._value_picker
        if type(picker) not in _PICKERS or picker.response_transformers:
            return original(self, value, key, shape)
        # The question the picker's own get_possible_keys would file its guesses under.
        question = _question(
            type(picker), picker, _read(self.service_model.service_name, value, key, shape)
        )
        keys = _REMEMBERED.get(question)
        if keys is None:  # asked once: the picker's get_possible_keys remembers it
            context = AttributePickerContext(
                obj=value,
                key=key,
                shape=shape,
                operation_model=self.operation_model,
                service_model=self.operation_model.service_model,
                key_path=".".join(self.path),
            )
            keys = tuple(picker.get_possible_keys(context))
        # AttributePicker.__call__: the first name the value has, else None.
        for name in keys:
            found = value_under(value, name, MISSING)
            if found is not MISSING:
                return found
        return None

    return get_value


def _remembering(picker: type[AttributePicker]) -> Callable[[Guess], Guess]:
    def make(original: Guess) -> Guess:
        def get_possible_keys(
            self: AttributePicker, context: AttributePickerContext
        ) -> Iterator[str]:
            question = _question(picker, self, _looked_at(context))
            keys = _REMEMBERED.get(question)
            if keys is None:
                keys = _REMEMBERED[question] = tuple(original(self, context))
            return iter(keys)

        return get_possible_keys

    return make


def _question(
    wrapped_on: type[AttributePicker], picker: AttributePicker, read: tuple[Any, ...]
) -> tuple[Any, ...]:
    """A guess's key: whose get_possible_keys made it, for which picker, and what was read."""
    return (wrapped_on, type(picker), tuple(picker.alias_providers), *read)


def _looked_at(context: AttributePickerContext) -> tuple[Any, ...]:
    """What the alias providers read: the value's type (its class name, its Meta's aliases),
    the member's key, its shape's name, type and wire name, and its parent structure (by name:
    one service model's shapes)."""
    service = context.service_model.service_name if context.service_model else None
    return _read(service, context.obj, context.key, context.shape)


def _read(service: str | None, value: Any, key: str, shape: Shape | None) -> tuple[Any, ...]:
    parent = getattr(shape, "parent", None)
    return (
        service,
        type(value),
        key,
        None if shape is None else (shape.name, shape.type_name, shape.serialization.get("name")),
        None if parent is None else (parent.name, parent.type_name),
    )

"""moto's response serializer, with its attribute-name guesses remembered.

For every member of every structure in an answer, moto's serializer asks six alias providers
which attribute names the value might be under (the member's own, its snake_case form, a
prefix-less form, the model's wire name...), building a provider object per question. For a
SageMaker Search page of 100 endpoints that was most of the sandbox's 99 ms of serializing, and
half of the sandbox's CPU in a 1,000-endpoint plan (py-spy on bench/plan.py). The names guessed
depend only on what is looked at: the picker, the service, the value's type, and the member's
key, shape and parent shape. So each guess is made once and reused; what is read from the value,
and so every answer, is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from moto.core.serialize import AttributePicker, AttributePickerContext, XFormedAttributePicker

from watchdog_sandbox import sagemaker_common as common

_TAG = "_watchdog_sandbox_remembered_keys"
_REMEMBERED: dict[tuple[Any, ...], tuple[str, ...]] = {}

Guess = Callable[[AttributePicker, AttributePickerContext], Iterator[str]]


def install() -> None:
    for picker in (AttributePicker, XFormedAttributePicker):
        common.wrap_method(picker, "get_possible_keys", _TAG, _remembering(picker))


def _remembering(picker: type[AttributePicker]) -> Callable[[Guess], Guess]:
    def make(original: Guess) -> Guess:
        def get_possible_keys(
            self: AttributePicker, context: AttributePickerContext
        ) -> Iterator[str]:
            key = (picker, type(self), tuple(self.alias_providers), *_looked_at(context))
            keys = _REMEMBERED.get(key)
            if keys is None:
                keys = _REMEMBERED[key] = tuple(original(self, context))
            return iter(keys)

        return get_possible_keys

    return make


def _looked_at(context: AttributePickerContext) -> tuple[Any, ...]:
    """What the alias providers read: the value's type (its class name, its Meta's aliases),
    the member's key, its shape's name, type and wire name, and its parent structure (by name:
    one service model's shapes)."""
    shape, parent = context.shape, getattr(context.shape, "parent", None)
    service = context.service_model.service_name if context.service_model else None
    return (
        service,
        type(context.obj),
        context.key,
        None if shape is None else (shape.name, shape.type_name, shape.serialization.get("name")),
        None if parent is None else (parent.name, parent.type_name),
    )

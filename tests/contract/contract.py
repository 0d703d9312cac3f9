"""The product's requests and reads, held to botocore's service models rather than to moto.

`request_problems` validates a captured request as AWS would: botocore's own validator
(required members, unknown members, types, minimums) and then what it skips - maximum lengths
and sizes, maximum values, enum values and patterns (the models' patterns are Java regexes;
the `regex` module reads their `\\p{...}` classes). `read_problems` resolves every path the
product read from an answer against the operation's output shape: a member that does not exist
in AWS's answer (a typo, the wrong casing, a field only moto sends) is a problem.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import botocore.session
import regex
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.validate import ParamValidator

from tests.contract.capture import ITEM, VALUE, Call

# Every answer carries these besides its modelled members (botocore adds them).
ANSWER_EXTRAS = frozenset({"ResponseMetadata"})


@functools.cache
def operation_model(service: str, operation: str) -> OperationModel:
    model = botocore.session.get_session().get_service_model(service)
    return model.operation_model(operation)


# Java-style surrogate pairs in a character class (Application Auto Scaling's XmlString:
# any character XML allows): `\uD800\uDC00-\uDBFF\uDFFF` is U+10000..U+10FFFF, which Python's
# regex spells with code points.
_SURROGATE_RANGE = "\\uD800\\uDC00-\\uDBFF\\uDFFF"


@functools.cache
def _pattern(text: str) -> regex.Pattern[str] | None:
    try:
        return regex.compile(text.replace(_SURROGATE_RANGE, "\\U00010000-\\U0010FFFF"))
    except regex.error:
        return None


def request_problems(call: Call) -> list[str]:
    model = operation_model(call.service, call.operation)
    where = f"{call.service}:{call.operation}"
    report = ParamValidator().validate(call.params, model.input_shape)
    problems = [f"{where}: {line}" for line in report.generate_report().splitlines() if line]
    if model.input_shape is not None:
        problems += [f"{where}: {p}" for p in _strict(call.params, model.input_shape, "")]
    return problems


def _strict(value: Any, shape: Shape, path: str) -> Iterable[str]:
    """What botocore's validator leaves out: max, enum, pattern; recursing as it does."""
    name = path or "request"
    meta = shape.metadata
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        for member, inner in value.items():
            if member in shape.members:
                yield from _strict(inner, shape.members[member], f"{path}.{member}".lstrip("."))
        return
    if isinstance(shape, ListShape) and isinstance(value, list):
        if "max" in meta and len(value) > meta["max"]:
            yield f"{name}: {len(value)} items, more than the {meta['max']} allowed"
        for index, inner in enumerate(value):
            yield from _strict(inner, shape.member, f"{path}[{index}]")
        return
    if isinstance(shape, MapShape) and isinstance(value, dict):
        if "max" in meta and len(value) > meta["max"]:
            yield f"{name}: {len(value)} entries, more than the {meta['max']} allowed"
        for key, inner in value.items():
            yield from _strict(key, shape.key, f"{path}<key>")
            yield from _strict(inner, shape.value, f"{path}[{key}]")
        return
    if shape.type_name == "string" and isinstance(value, str):
        yield from _string(value, shape, name)
    elif _number_over(value, shape):
        yield f"{name}: {value} is more than the {meta['max']} allowed"


def _number_over(value: Any, shape: Shape) -> bool:
    numeric = shape.type_name in ("integer", "long", "float", "double")
    limit = shape.metadata.get("max")
    return numeric and limit is not None and isinstance(value, int | float) and value > limit


# Errata in the service models' patterns, each a plain typo the service itself does not make:
# Agents for Bedrock's TaggableResourcesArn writes "/d{12}" (and "/d+") where its siblings write
# \d, so as printed it matches no real ARN at all (an account id is digits, not twelve "d"s).
_PATTERN_ERRATA = {
    "TaggableResourcesArn": ((":/d{12}:", r":\d{12}:"), ("(?::/d+)", r"(?::\d+)")),
}


def _model_pattern(shape: Shape) -> str | None:
    pattern: str | None = shape.metadata.get("pattern")
    for wrong, right in _PATTERN_ERRATA.get(shape.name, ()):
        pattern = pattern.replace(wrong, right) if pattern else pattern
    return pattern


def _string(value: str, shape: Shape, name: str) -> Iterable[str]:
    meta = shape.metadata
    if shape.enum and value not in shape.enum:
        yield f"{name}: {value!r} is not one of {shape.enum}"
    if "max" in meta and len(value) > meta["max"]:
        yield f"{name}: {len(value)} characters, more than the {meta['max']} allowed"
    pattern = _model_pattern(shape)
    if pattern:
        compiled = _pattern(pattern)
        if compiled is not None and compiled.fullmatch(value) is None:
            yield f"{name}: {value!r} does not match the pattern {pattern!r}"


def uncheckable_patterns(calls: Iterable[Call]) -> set[str]:
    """Patterns of the shapes the calls used that `regex` cannot compile (said, not hidden)."""
    found: set[str] = set()
    for call in calls:
        shape = operation_model(call.service, call.operation).input_shape
        if shape is not None:
            found |= {p for p in _patterns(shape, set()) if _pattern(p) is None}
    return found


def _patterns(shape: Shape, visited: set[str]) -> set[str]:
    if shape.name in visited:
        return set()
    visited.add(shape.name)
    own = {shape.metadata["pattern"]} if "pattern" in shape.metadata else set()
    if isinstance(shape, StructureShape):
        for inner in shape.members.values():
            own |= _patterns(inner, visited)
    elif isinstance(shape, ListShape):
        own |= _patterns(shape.member, visited)
    elif isinstance(shape, MapShape):
        own |= _patterns(shape.key, visited) | _patterns(shape.value, visited)
    return own


def read_problems(service: str, operation: str, paths: Iterable[tuple[str, ...]]) -> list[str]:
    output = operation_model(service, operation).output_shape
    problems = []
    for path in sorted(paths):
        missing = _resolve(output, path)
        if missing is not None:
            problems.append(f"{service}:{operation} answer: {'.'.join(path)} ({missing})")
    return problems


def _resolve(shape: Shape | None, path: tuple[str, ...]) -> str | None:
    """None when `path` exists in `shape`; else what is wrong at its first bad step."""
    for depth, step in enumerate(path):
        if shape is None:
            return "the operation answers nothing"
        if isinstance(shape, StructureShape):
            if step in ANSWER_EXTRAS and depth == 0:
                return None
            if step not in shape.members:
                near = [m for m in shape.members if m.lower() == step.lower()]
                hint = f"; AWS spells it {near[0]}" if near else ""
                return f"{step!r} is not a member of {shape.name}{hint}"
            shape = shape.members[step]
        elif isinstance(shape, ListShape):
            if step != ITEM:
                return f"{step!r} read from a list ({shape.name})"
            shape = shape.member
        elif isinstance(shape, MapShape):
            shape = shape.value  # any key of a map: VALUE or the key itself
        else:
            return f"{step!r} read from a {shape.type_name} ({shape.name})"
    return None


__all__ = ["VALUE", "read_problems", "request_problems", "uncheckable_patterns"]

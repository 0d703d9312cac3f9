"""Response parsers that read long lists of plain values in one pass.

botocore parses every element of a list through `_parse_shape`, which looks its handler up by
name for each one: about 1.5 us an element. A GetMetricData answer for 500 series over eight
hourly days is 96,000 timestamps and 96,000 values, so botocore spent 340 ms of CPU parsing one
call where decoding its JSON took 38 ms (measured on this project's bench, 1.9 MB of body), and
a 1,000-endpoint plan makes four such calls, on real AWS as on the sandbox.

The JSON parser here differs from botocore's in one place: a list whose members' type has no
handler of its own (strings, numbers, booleans) is copied as it is, which is what botocore's
per-element `_default_handle` returns; a list of timestamps parses each distinct number once
per response (a GetMetricData answer repeats the same 192 hours in each of its 500 series, and
`fast_timestamp` is a pure function of its value). Everything else is botocore's own parsing:
tests/unit/test_response_parsers.py compares the two on generated answers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.parsers import JSONParser, ResponseParser, ResponseParserFactory


class _ListsInOnePassJSONParser(JSONParser):
    """Made for one response (botocore's endpoint asks its factory for a parser per response),
    so the timestamps it remembers are one answer's."""

    def __init__(self, **defaults: Any) -> None:
        super().__init__(**defaults)
        self._parsed_numbers: dict[float, datetime] = {}

    def _handle_list(self, shape: Any, node: Any) -> Any:
        member_type = shape.member.type_name
        if member_type == "timestamp":
            parse = self._timestamp_parser  # type: ignore[attr-defined]
            return _timestamps(node, parse, self._parsed_numbers)
        if getattr(type(self), f"_handle_{member_type}", None) is None:
            # botocore would call _default_handle on each element, which returns it unchanged
            # (a null stays None: botocore treats every list as sparse).
            return list(node)
        return super()._handle_list(shape, node)  # type: ignore[misc]


def _timestamps(
    node: Any, parse: Callable[[Any], datetime], seen: dict[float, datetime]
) -> list[datetime | None]:
    """Each element parsed as botocore would, each distinct number once (`seen`)."""
    parsed: list[datetime | None] = []
    for item in node:
        if item is None:
            parsed.append(None)
        elif type(item) is int or type(item) is float:  # not bool: it is no timestamp
            moment = seen.get(item)
            if moment is None:
                moment = seen[item] = parse(item)
            parsed.append(moment)
        else:
            parsed.append(parse(item))
    return parsed


class FastListsParserFactory(ResponseParserFactory):
    """botocore's factory, with the JSON protocol's parser reading plain lists in one pass."""

    def create_parser(self, protocol_name: str) -> ResponseParser:
        if protocol_name == "json":
            # botocore keeps the defaults set_parser_defaults was given in `_defaults`.
            return _ListsInOnePassJSONParser(**self._defaults)  # type: ignore[attr-defined]
        return super().create_parser(protocol_name)

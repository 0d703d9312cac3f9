"""Words for people: one place that puts a count and its noun in the right number, so no
message says "1 steps" or "2 finding"; and spans of time and amounts as messages show them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """`1 day`, `2 days`, `0 entries` (with `plural_noun` for irregular nouns)."""
    return f"{count} {noun if count == 1 else (plural_noun or noun + 's')}"


def span(delta: timedelta, decimals: int = 0) -> str:
    """`7 days` (from 48 hours), `36 hours`, `20 minutes`; days and hours to `decimals`."""
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:.{decimals}f} days"
    if hours >= 1:
        return f"{hours:.{decimals}f} hours"
    return f"{delta.total_seconds() / 60:.0f} minutes"


def amount(value: float) -> str:
    """`1,234` for a whole number, `12.5` otherwise."""
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def some_of(items: Sequence[str], shown: int = 3, name: Callable[[str], str] = str) -> str:
    """`a, b` in full, or `a, b, c and 197 more`: a shared model's 200 users would make every
    message (and the stored finding) as long as the list. `name` words only those shown."""
    if len(items) <= shown + 1:
        return ", ".join(map(name, items))
    return f"{', '.join(map(name, items[:shown]))} and {len(items) - shown} more"

"""Words for people: one place that puts a count and its noun in the right number, so no
message says "1 steps" or "2 finding"."""

from __future__ import annotations


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """`1 day`, `2 days`, `0 entries` (with `plural_noun` for irregular nouns)."""
    return f"{count} {noun if count == 1 else (plural_noun or noun + 's')}"

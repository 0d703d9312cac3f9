"""README.md's kinds table is the registry's: every kind, in collection order, with what its
module says it is and what its declaration allows. Regenerate it with `make generate`
(`python -m watchdog.readme --write README.md`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchdog.kinds import REGISTRY, registered
from watchdog.kinds.base import KindSpec
from watchdog.readme import kinds_table, rewrite_readme

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_kinds_table_is_the_generated_one() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert kinds_table() in text, "README's kinds table is stale: make generate"
    assert rewrite_readme(text) == text


def test_every_kind_says_what_it_is_in_one_line() -> None:
    for spec in REGISTRY:
        assert spec.about.strip(), f"{spec.kind} declares no `about` for README's kinds table"
        assert "\n" not in spec.about, spec.kind


def test_a_new_kind_gets_its_row_from_its_declaration_alone() -> None:
    fake = KindSpec(
        kind="test-readme-queue",
        about="A queue | declared in a test.",
        service="sqs",
        tag_type="sqs:queue",
        depends_on=(),
        collect=lambda ctx: [],
    )
    with registered(fake):
        row = kinds_table().splitlines()[-2]
    assert row == "| `test-readme-queue` | A queue \\| declared in a test. | notify only | no |"


def test_a_readme_without_the_block_is_refused() -> None:
    with pytest.raises(ValueError, match="0 kinds blocks"):
        rewrite_readme("no block here")

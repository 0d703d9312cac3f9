"""The README blocks built from declarations are current: README.md's kinds table (every kind,
in collection order, with what its module says it is and what its declaration allows) and the
default policies in README.md and policies/README.md (from the shipped policy files).
Regenerate them with `make generate` (`python -m watchdog.readme --write .`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from watchdog.kinds import REGISTRY, registered
from watchdog.kinds.base import KindSpec
from watchdog.policies.shipped import shipped_policies
from watchdog.readme import FILES, block, kinds_table, rewrite

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("relative", sorted(FILES))
def test_the_readme_blocks_are_the_generated_ones(relative: str) -> None:
    text = (ROOT / relative).read_text(encoding="utf-8")
    for name in FILES[relative]:
        assert block(name) in text, f"{relative}'s {name} block is stale: make generate"
    assert rewrite(text, FILES[relative]) == text


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
        row = kinds_table()[-1]
    assert row == "| `test-readme-queue` | A queue \\| declared in a test. | notify only | no |"


def test_every_shipped_policy_is_listed_in_both_readmes() -> None:
    lists = block("default-policies") + block("policies-table")
    for policy in shipped_policies():
        assert lists.count(f"`{policy.name}`") == 2, policy.name


def test_a_file_without_the_block_is_refused() -> None:
    with pytest.raises(ValueError, match="0 kinds blocks"):
        rewrite("no block here", ("kinds",))

"""The README blocks built from declarations, as watchdog.permissions builds the IAM blocks:
- README.md's kinds table, from the kind registry: one row per kind, in collection order, with
  what the kind says it is (`KindSpec.about`) and what its declaration allows (stop, delete,
  park; how restore brings it back);
- the default policies, listed in README.md and tabled in policies/README.md, from the shipped
  policy files themselves (file, name, kinds, description).
So a new kind's row is its module's `about`, and a new default policy's lines are its YAML entry:
neither is a README edit.

`python -m watchdog.readme --write ROOT` replaces every block between its markers in ROOT's
README.md and policies/README.md (`make generate` runs it), `--print NAME` prints one block;
tests/unit/test_readme_blocks.py fails when either file is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path

from watchdog.kinds import REGISTRY
from watchdog.kinds._park import Park
from watchdog.kinds.base import KindSpec
from watchdog.policies.shipped import shipped_policies

KINDS_HEADER = ("kind", "what it is", "actions", "restore")
WIDE = 100  # README prose is wrapped at this width


def actions(spec: KindSpec) -> str:
    """The actions a policy can ask of it, notify aside (always possible)."""
    found = [action for action in ("stop", "delete") if spec.teardown.can(action)]
    if isinstance(spec.park, Park):
        found.append("park")
    return ", ".join(found) or "notify only"


def restore(spec: KindSpec) -> str:
    if spec.restore.recreate is not None:
        return "recreated"
    if spec.restore.restart is not None:
        return "restarted"
    if spec.restore.with_its_user:
        return "with what uses it"
    return "no"


def _cell(text: str) -> str:
    # A cell cannot hold a pipe or a line break.
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]


def kinds_table() -> list[str]:
    rows = [(f"`{s.kind}`", s.about, actions(s), restore(s)) for s in REGISTRY]
    return _table(KINDS_HEADER, rows)


def _kinds(resource: tuple[str, ...]) -> str:
    return ", ".join(f"`{kind}`" for kind in resource)


def policies_list() -> list[str]:
    """README.md's list: one wrapped item per shipped policy, in file order."""
    lines = []
    for policy in shipped_policies():
        item = f"`{policy.name}` ({_kinds(policy.resource)}): {policy.description}"
        lines += textwrap.wrap(
            item, WIDE, initial_indent="- ", subsequent_indent="  ", break_on_hyphens=False
        )
    return lines


def policies_table() -> list[str]:
    rows = [
        (f"`{p.file}`", f"`{p.name}`", _kinds(p.resource), p.action, p.description)
        for p in shipped_policies()
    ]
    return _table(("file", "policy", "kinds", "action", "what it does"), rows)


BLOCKS: dict[str, Callable[[], list[str]]] = {
    "kinds": kinds_table,
    "default-policies": policies_list,
    "policies-table": policies_table,
}
# Which blocks each file holds, relative to the repository's root.
FILES: dict[str, tuple[str, ...]] = {
    "README.md": ("kinds", "default-policies"),
    "policies/README.md": ("policies-table",),
}


def block(name: str) -> str:
    """One block, markers included."""
    return "\n".join([f"<!-- {name} -->", *BLOCKS[name](), f"<!-- /{name} -->"])


def rewrite(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        text = replace_block(text, name, block(name))
    return text


def replace_block(text: str, marker: str, rendered: str) -> str:
    """`text` with its one block between `<!-- marker -->` and `<!-- /marker -->` (markers
    included) replaced by `rendered`; ValueError when there is not exactly one. The IAM blocks
    (watchdog.permissions) are replaced the same way."""
    name = re.escape(marker)
    parts = re.compile(rf"<!-- {name} -->.*?<!-- /{name} -->", re.DOTALL).split(text)
    if len(parts) != 2:
        raise ValueError(f"{len(parts) - 1} {marker} blocks, expected one")
    return rendered.join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watchdog.readme")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--print", choices=sorted(BLOCKS), help="print one block")
    group.add_argument("--write", metavar="ROOT", help="replace the blocks in ROOT's READMEs")
    args = parser.parse_args(argv)
    if args.write:
        for relative, names in FILES.items():
            path = Path(args.write) / relative
            path.write_text(rewrite(path.read_text(encoding="utf-8"), names), encoding="utf-8")
    else:
        print(block(args.print))
    return 0


if __name__ == "__main__":
    sys.exit(main())

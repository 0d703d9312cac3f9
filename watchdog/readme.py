"""README.md's kinds table, built from the kind registry (as watchdog.permissions builds its IAM
blocks): one row per kind, in collection order, with what the kind says it is (`KindSpec.about`)
and what its declaration allows (stop, delete, park; how restore brings it back).

`python -m watchdog.readme --write README.md` replaces the block between its markers in place
(`make generate` runs it), `--print` prints it; tests/unit/test_readme_kinds.py fails when
README.md is stale. So a new kind's row is its module's `about`, never a README edit.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from watchdog.kinds import REGISTRY
from watchdog.kinds._park import Park
from watchdog.kinds.base import KindSpec

BLOCK = "kinds"
HEADER = ("kind", "what it is", "actions", "restore")


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


def kinds_table() -> str:
    """The block, markers included."""
    rows = [HEADER]
    for spec in REGISTRY:
        # A cell cannot hold a pipe or a line break: the about text is written as one line.
        about = spec.about.replace("|", "\\|").replace("\n", " ")
        rows.append((f"`{spec.kind}`", about, actions(spec), restore(spec)))
    lines = ["| " + " | ".join(row) + " |" for row in rows]
    lines.insert(1, "|" + "---|" * len(HEADER))
    return "\n".join([f"<!-- {BLOCK} -->", *lines, f"<!-- /{BLOCK} -->"])


def rewrite_readme(text: str) -> str:
    pattern = re.compile(rf"<!-- {BLOCK} -->.*?<!-- /{BLOCK} -->", re.DOTALL)
    parts = pattern.split(text)
    if len(parts) != 2:
        raise ValueError(f"README has {len(parts) - 1} {BLOCK} blocks, expected one")
    return kinds_table().join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watchdog.readme")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--print", action="store_true", help="print the kinds table")
    group.add_argument("--write", metavar="PATH", help="replace the kinds table in PATH")
    args = parser.parse_args(argv)
    if args.write:
        path = Path(args.write)
        path.write_text(rewrite_readme(path.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(kinds_table())
    return 0


if __name__ == "__main__":
    sys.exit(main())

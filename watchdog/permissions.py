"""Every IAM action the watchdog needs, per mode, built from the kind registry and the shared
declarations (watchdog/aws/permissions.py) - and the README's lists and the templates'
statements built from those.

`python -m watchdog.permissions --readme` prints the README's permission blocks (with
their markers), `--write-readme README.md` replaces them in place, `--write-templates .`
replaces each role statement's actions in template.yaml and deploy/member-role.yaml
(`make generate` runs both), and `--template` prints those actions;
tests/unit/test_iam_lists.py fails when README.md or either template is stale.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.aws.permissions import MODES, SHARED, Grant, Mode, Where
from watchdog.kinds import REGISTRY
from watchdog.kinds._park import all_ways
from watchdog.kinds.base import KindSpec
from watchdog.readme import replace_block


def kind_grants(spec: KindSpec) -> list[Grant]:
    """What one kind's calls need: its declaration, its teardown operations, its service's
    tag dialect."""
    stage = f"kinds.{spec.kind}"
    tags = spec.tagging()
    found = [Grant(action, ("scan",), stage) for action in spec.iam.scan]
    if spec.iam.describe is not None:
        found.append(Grant(spec.iam.describe, ("verify",), stage))
    found += [
        Grant(tags.read_action, ("verify",), "act.tags"),
        Grant(tags.write_action, ("exempt",), "act.tags"),
    ]
    found += [Grant(op, ("teardown",), stage) for op in teardown_actions(spec)]
    # Parking runs under the same enforce switch: its park call and the call that resumes it.
    found += [Grant(op, ("teardown",), stage) for op in park_actions(spec)]
    for way in all_ways(spec.park):
        found += [Grant(action, ("verify",), stage) for action in way.reads]
    if spec.leftovers is not None:
        # Apply reports what a delete left (enforce); `leftovers` reads it again first.
        found += [Grant(action, ("report", "leftovers"), stage) for action in spec.leftovers.iam]
    restore = (*spec.iam.restore, spec.iam.describe) if spec.iam.restore else ()
    found += [Grant(action, ("restore",), stage) for action in restore if action]
    return found


def teardown_actions(spec: KindSpec) -> list[str]:
    steps = (spec.teardown.stop, spec.teardown.delete)
    return [step.op for step in steps if step is not None]


def park_actions(spec: KindSpec) -> list[str]:
    ops = [op for way in all_ways(spec.park) for op in (way.park.op, way.resume.op, *way.iam)]
    return [op for op in dict.fromkeys(ops) if op not in teardown_actions(spec)]


def grants() -> tuple[Grant, ...]:
    """Every grant: the shared ones, then the kinds' in registry order."""
    return (*SHARED, *(g for spec in REGISTRY for g in kind_grants(spec)))


def _ordered(actions: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(actions))


def needed(mode: Mode, where: Where = "home") -> tuple[str, ...]:
    """Every action `mode` needs, in declaration order: in the watchdog's own account (`home`,
    where everything runs) or in each member account (`each`)."""
    return _ordered(
        g.action for g in grants() if mode in g.modes and (where == "home" or g.where == "each")
    )


def exempt_deny() -> tuple[str, ...]:
    """The teardown actions IAM can refuse on a watchdog:exempt=true resource."""
    return _ordered(
        action
        for spec in REGISTRY
        if spec.iam.resource_tag_condition
        for action in teardown_actions(spec)
    )


@dataclass(frozen=True)
class Statement:
    """One statement of a role's policies: the actions of its modes, without those `beyond`
    modes already grant. A grant with its own sid goes only in the statement of that sid."""

    sid: str
    modes: tuple[Mode, ...]
    beyond: tuple[Mode, ...] = ()
    deny_exempt: bool = False

    def actions(self, where: Where) -> tuple[str, ...]:
        if self.deny_exempt:
            return exempt_deny()
        own = {g.sid for g in grants()}
        wanted = self.sid if self.sid in own else None
        already = {a for mode in self.beyond for a in needed(mode, where)}
        return _ordered(
            g.action
            for g in grants()
            if g.sid == wanted
            and set(g.modes) & set(self.modes)
            and (where == "home" or g.where == "each")
            and g.action not in already
        )


_TEARDOWN = (
    Statement("EnforceTeardown", ("teardown",)),
    Statement("NeverTearDownExempt", ("teardown",), deny_exempt=True),
    Statement("ReportLeftovers", ("report",)),
)
# template.yaml's function role: everything that runs in the watchdog's own account.
FUNCTION_ROLE: tuple[Statement, ...] = (
    Statement("ReadInventory", ("accounts", "scan")),
    Statement("ReadSignals", ("signals",)),
    Statement("ReadBeforeActing", ("verify",), beyond=("scan",)),
    *(Statement(sid, ("accounts",)) for sid in ("ListOrganizationAccounts", "EnterMemberAccounts")),
    *(
        Statement(sid, ("service",))
        for sid in (
            "Store",
            "InvokeSelfAsynchronously",
            "ReadOwnFunctionUrl",
            "ReadSecretsFromSsm",
            "ReadSecretsFromSecretsManager",
            "DecryptSecrets",
            "ReadPolicyBucket",
            "ReadPolicyObjects",
            "ReadPolicyAppConfig",
            "WriteDigestReports",
            "SendEmail",
        )
    ),
    Statement("ExemptTag", ("exempt",)),
    *_TEARDOWN,
)
# deploy/member-role.yaml: what the watchdog does inside each member account.
MEMBER_ROLE: tuple[Statement, ...] = (
    Statement("ReadInventory", ("accounts", "scan", "signals")),
    Statement("ReadBeforeActing", ("verify",), beyond=("scan",)),
    Statement("ExemptTag", ("exempt",)),
    *_TEARDOWN,
)
ROLES: dict[str, tuple[tuple[Statement, ...], Where]] = {
    "template.yaml": (FUNCTION_ROLE, "home"),
    "deploy/member-role.yaml": (MEMBER_ROLE, "each"),
}


@dataclass(frozen=True)
class Section:
    """A list in a README block: the actions of `modes` beyond those of `beyond`."""

    heading: str
    modes: tuple[Mode, ...]
    beyond: tuple[Mode, ...] = ()

    def actions(self) -> tuple[str, ...]:
        already = {a for mode in self.beyond for a in needed(mode)}
        found = (a for mode in self.modes for a in needed(mode) if a not in already)
        return _ordered(found)


README_BLOCKS: dict[str, tuple[Section, ...]] = {
    "read": (
        Section("", ("accounts", "scan")),
        Section("plan also:", ("signals",)),
    ),
    "apply": (
        Section("", ("verify", "teardown"), beyond=("scan",)),
        Section("after a domain is deleted, to report what it left behind:", ("report",)),
        Section("leftovers --execute also:", ("leftovers",), beyond=("report",)),
        Section("restore also:", ("restore",), beyond=("verify",)),
        Section(
            "the Exempt button (dry-run too; the template allows only the tag "
            "watchdog:exempt=true):",
            ("exempt",),
        ),
    ),
}
WIDE = 100  # two columns while every line fits in this many characters


def _columns(items: list[str]) -> list[str]:
    half = (len(items) + 1) // 2
    left, right = items[:half], items[half:]
    width = max((len(item) for item in left), default=0) + 2
    lines = [f"{a:<{width}}{b}".rstrip() for a, b in zip(left, [*right, ""], strict=False)]
    return lines if all(len(line) <= WIDE for line in lines) else items


def _label(action: str) -> str:
    notes = {g.note for g in grants() if g.action == action and g.note}
    return " ".join([action, *sorted(notes)])


def readme_block(name: str) -> str:
    """One README block, markers and fence included."""
    lines = [f"<!-- iam:{name} -->", "```"]
    for number, section in enumerate(README_BLOCKS[name]):
        if number:
            lines.append("")
        if section.heading:
            lines.append(section.heading)
        lines += _columns([_label(action) for action in section.actions()])
    return "\n".join([*lines, "```", f"<!-- /iam:{name} -->"])


def rewrite_readme(text: str) -> str:
    for name in README_BLOCKS:
        text = replace_block(text, f"iam:{name}", readme_block(name))
    return text


def _action_items(lines: list[str], start: int) -> tuple[int, int, str]:
    """The span of the `Action:` list following line `start` (a `- Sid:` line): its first and
    one-past-last line index, and the items' indentation."""
    at = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "Action:")
    first = at + 1
    indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
    end = first
    while end < len(lines) and lines[end].startswith(f"{indent}- "):
        end += 1
    return first, end, indent


def rewrite_template(text: str, relative: str) -> str:
    """`relative`'s template text with each role statement's Action list replaced by what the
    registry says it needs; comments, order and everything else untouched."""
    statements, where = ROLES[relative]
    lines = text.split("\n")
    for statement in statements:
        sid_lines = [i for i, line in enumerate(lines) if line.strip() == f"- Sid: {statement.sid}"]
        if len(sid_lines) != 1:
            raise ValueError(f"{relative} has {len(sid_lines)} statements {statement.sid}")
        first, end, indent = _action_items(lines, sid_lines[0])
        lines[first:end] = [f"{indent}- {action}" for action in statement.actions(where)]
    return "\n".join(lines)


def template_lists() -> str:
    lines = []
    for path, (statements, where) in ROLES.items():
        lines.append(f"# {path}")
        for statement in statements:
            lines.append(f"- Sid: {statement.sid}")
            lines += [f"    - {action}" for action in statement.actions(where)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m watchdog.permissions")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--readme", action="store_true", help="print the README's IAM blocks")
    group.add_argument("--write-readme", metavar="PATH", help="replace the blocks in PATH")
    group.add_argument("--template", action="store_true", help="print each statement's actions")
    group.add_argument(
        "--write-templates",
        metavar="ROOT",
        help="replace each role statement's actions in ROOT's template.yaml and member role",
    )
    group.add_argument("--mode", choices=MODES, help="print one mode's actions")
    args = parser.parse_args(argv)
    if args.write_readme:
        path = Path(args.write_readme)
        path.write_text(rewrite_readme(path.read_text(encoding="utf-8")), encoding="utf-8")
    elif args.write_templates:
        for relative in ROLES:
            path = Path(args.write_templates) / relative
            path.write_text(rewrite_template(path.read_text(encoding="utf-8"), relative), "utf-8")
    elif args.readme:
        print("\n\n".join(readme_block(name) for name in README_BLOCKS))
    elif args.template:
        print(template_lists())
    else:
        print("\n".join(needed(args.mode)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

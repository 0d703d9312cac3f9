"""The IAM lists people read and deploy are the registry's: README.md's permission blocks,
template.yaml's function role and deploy/member-role.yaml's member role grant exactly what
watchdog/permissions.py builds from the kinds and the shared declarations, statement by
statement - nothing missing, nothing nothing needs. Regenerate them with `make generate`
(`python -m watchdog.permissions --write-readme README.md` and `--write-templates .`);
`--template` prints each statement's actions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml

from watchdog.aws.permissions import MODES, SHARED
from watchdog.kinds import REGISTRY
from watchdog.kinds._park import all_ways
from watchdog.permissions import (
    README_BLOCKS,
    ROLES,
    exempt_deny,
    needed,
    readme_block,
    rewrite_readme,
    rewrite_template,
)

ROOT = Path(__file__).resolve().parents[2]
# Where each template's role policies live; trust policies (AssumeRolePolicyDocument) are not
# permissions.
ROLE_RESOURCES = {
    "template.yaml": ("WatchdogFunction",),
    "deploy/member-role.yaml": ("MemberRole", "EnforcePolicy"),
}


def statements(node: Any) -> list[dict[str, Any]]:
    """Every policy statement under `node` (through Fn::If branches), trust policies aside."""
    if isinstance(node, list):
        return [s for item in node for s in statements(item)]
    if not isinstance(node, dict):
        return []
    if "Effect" in node and ("Action" in node or "NotAction" in node):
        return [node]
    return [
        s
        for key, value in node.items()
        if key != "AssumeRolePolicyDocument"
        for s in statements(value)
    ]


def role_statements(relative: str) -> dict[str, dict[str, Any]]:
    template = load_cfn_yaml(str(ROOT / relative))
    found: dict[str, dict[str, Any]] = {}
    for name in ROLE_RESOURCES[relative]:
        for statement in statements(template["Resources"][name]["Properties"]):
            sid = statement.get("Sid")
            assert sid, f"{relative}: a statement without a Sid: {dict(statement)}"
            assert sid not in found, f"{relative}: two statements {sid}"
            found[str(sid)] = statement
    return found


def actions_of(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {str(action)} if isinstance(action, str) else {str(a) for a in action}


@pytest.mark.parametrize("relative", sorted(ROLES))
def test_each_role_grants_what_the_registry_needs_and_nothing_else(relative: str) -> None:
    wanted, where = ROLES[relative]
    granted = role_statements(relative)
    assert sorted(granted) == sorted(s.sid for s in wanted), "statements added or removed"
    problems = []
    for statement in wanted:
        have, need = actions_of(granted[statement.sid]), set(statement.actions(where))
        problems += [f"{relative} {statement.sid}: lacks {a}" for a in sorted(need - have)]
        problems += [
            f"{relative} {statement.sid}: grants {a}, needed by nothing"
            for a in sorted(have - need)
        ]
    assert problems == [], "\n".join(problems) + "\n(python -m watchdog.permissions --template)"


@pytest.mark.parametrize("relative", sorted(ROLES))
def test_the_templates_lists_are_the_generated_ones_in_registry_order(relative: str) -> None:
    text = (ROOT / relative).read_text(encoding="utf-8")
    assert rewrite_template(text, relative) == text, f"{relative} is stale: make generate"


@pytest.mark.parametrize("relative", sorted(ROLES))
def test_the_exemption_deny_stays_a_tag_conditioned_deny(relative: str) -> None:
    deny = role_statements(relative)["NeverTearDownExempt"]
    assert deny["Effect"] == "Deny"
    condition = deny["Condition"]["StringEqualsIgnoreCase"]
    assert condition["aws:ResourceTag/watchdog:exempt"] == "true"
    exempt = role_statements(relative)["ExemptTag"]["Condition"]
    assert exempt["ForAllValues:StringEquals"]["aws:TagKeys"] == ["watchdog:exempt"]


def test_the_readme_blocks_are_the_generated_ones() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in README_BLOCKS:
        assert readme_block(name) in text, (
            f"README's iam:{name} block is stale: "
            "python -m watchdog.permissions --write-readme README.md"
        )
    assert rewrite_readme(text) == text


def test_the_readme_lists_every_mode_a_person_or_a_schedule_needs() -> None:
    text = "\n".join(readme_block(name) for name in README_BLOCKS)
    for mode in MODES:
        if mode == "service":  # the Lambda's own plumbing: the template's business
            continue
        missing = [a for a in needed(mode) if a not in text]
        assert missing == [], f"{mode}: {missing}"


def test_teardown_is_derived_from_the_kinds_operations_and_parking() -> None:
    operations = {
        step.op
        for spec in REGISTRY
        for step in (spec.teardown.stop, spec.teardown.delete)
        if step is not None
    }
    parking = {
        action
        for spec in REGISTRY
        for way in all_ways(spec.park)
        for action in (way.park.op, way.resume.op, *way.iam)
    }
    assert parking - operations, "parking brings calls of its own (the resumes)"
    assert set(needed("teardown")) == operations | parking
    assert set(exempt_deny()) < operations  # a resume is not a teardown to deny
    assert set(needed("teardown", "each")) == operations | parking


def test_each_action_is_declared_once_per_mode() -> None:
    # Once per statement: one action may sit in two statements on different resources (s3:
    # GetObject on the policy bucket and on the digest's report bucket).
    seen: set[tuple[str, str, str | None]] = set()
    for grant in SHARED:
        for mode in grant.modes:
            assert (grant.action, mode, grant.sid) not in seen, grant
            seen.add((grant.action, mode, grant.sid))
    for spec in REGISTRY:
        assert len(set(spec.iam.scan)) == len(spec.iam.scan), spec.kind
        assert spec.iam.describe is not None, f"{spec.kind}: apply reads it before acting"

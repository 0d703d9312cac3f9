"""Every IAM action the project names - in the README's permission lists, in both templates and
in the kinds' teardown operations - is a real IAM action, checked against the catalogue of
actions cfn-lint ships (its Policies.json, taken from AWS's Service Authorization Reference).
A misspelt or invented action would be granted in vain and fail on AWS."""

from __future__ import annotations

import fnmatch
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml

from tests.contract.iam import NAMED_NOT_GRANTED, named_but_undeclared
from watchdog.kinds import REGISTRY
from watchdog.permissions import grants

ROOT = Path(__file__).resolve().parents[2]
ACTION = re.compile(r"\b([a-z][a-z0-9-]+):([A-Z][A-Za-z0-9]*\*?)")
# What the README spells like an action but is a condition key (global `aws:` keys, and these).
CONDITION_KEYS = frozenset({"kms:ViaService", "sts:ExternalId", "iam:PassedToService"})


@cache
def catalogue() -> dict[str, frozenset[str]]:
    path = Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json"
    policies = json.loads(path.read_text(encoding="utf-8"))
    return {prefix: frozenset(entry["Actions"]) for prefix, entry in policies.items()}


def unknown(action: str) -> str | None:
    prefix, name = action.split(":", 1)
    known = catalogue().get(prefix)
    if known is None:
        return f"{action}: no service with the prefix {prefix!r}"
    if not fnmatch.filter(known, name.lower()):
        return f"{action}: {prefix} has no such action"
    return None


def named_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    # "slack:U0ALICE001" is how the README writes an approver (a Slack user), not an action.
    not_services = ("aws", "slack")
    found = {f"{s}:{name}" for s, name in ACTION.findall(text) if s not in not_services}
    return found - CONDITION_KEYS


def granted_in(node: Any) -> set[str]:
    """Every Action / NotAction of every policy statement in a template."""
    if isinstance(node, list):
        return {action for item in node for action in granted_in(item)}
    if not isinstance(node, dict):
        return set()
    found: set[str] = set()
    for key, value in node.items():
        if key in ("Action", "NotAction"):
            found |= {value} if isinstance(value, str) else {v for v in value if isinstance(v, str)}
        else:
            found |= granted_in(value)
    return found


def test_every_action_the_readme_and_templates_name_exists() -> None:
    named: dict[str, set[str]] = {}
    for action in named_in_readme():
        named.setdefault(action, set()).add("README.md")
    for relative in ("template.yaml", "deploy/member-role.yaml"):
        for action in granted_in(load_cfn_yaml(str(ROOT / relative))):
            named.setdefault(action, set()).add(relative)
    problems = sorted(
        f"{problem} (in {', '.join(sorted(named[action]))})"
        for action in named
        if (problem := unknown(action)) is not None
    )
    assert len(named) > 40  # the lists were read
    assert problems == [], "\n".join(problems)


def test_every_teardown_operation_is_an_iam_action() -> None:
    operations = {
        step.op
        for spec in REGISTRY
        for step in (spec.teardown.stop, spec.teardown.delete)
        if step is not None
    }
    problems = sorted(p for op in operations if (p := unknown(op)) is not None)
    assert problems == [], "\n".join(problems)


def test_every_declared_action_exists() -> None:
    declared = {g.action for g in grants()} | set(NAMED_NOT_GRANTED)
    problems = sorted(p for action in declared if (p := unknown(action)) is not None)
    assert problems == [], "\n".join(problems)


def test_every_call_the_source_names_is_declared() -> None:
    """Beside the contract journey (test_contract.py), which sees only the calls it reaches."""
    problems = named_but_undeclared()
    assert problems == [], "\n".join(problems)


def test_the_catalogue_tells_real_actions_from_invented_ones() -> None:
    assert unknown("sagemaker:DeleteEndpoint") is None
    assert unknown("sagemaker:List*") is None
    assert unknown("elasticfilesystem:DeleteFileSystem") is None
    assert (
        unknown("sagemaker:DeleteEndpoints")
        == "sagemaker:DeleteEndpoints: sagemaker has no such action"
    )
    assert unknown("sagemker:DeleteEndpoint") is not None

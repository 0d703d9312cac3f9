"""template.yaml through the AWS SAM translator, offline, for each Mode and FanOut, and the
member role's template: what the template tests share.

The translator leaves Conditions and Fn::If to CloudFormation, so `deployed` decides them for a
set of parameter values the way CloudFormation would: what it returns is what a stack with those
parameters holds. Local paths are rewritten to S3 URIs first, as `sam package` does.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parents[2]
ASL_PATH = ROOT / "statemachine" / "fanout.asl.json"
ACTION = re.compile(r"\b[a-z0-9-]+:[A-Z][A-Za-z]+\b")
NO_VALUE = object()
Template = dict[str, Any]


class NoManagedPolicyLookups:
    """The translator's fallback for managed policies it does not bundle (it would ask IAM)."""

    def load(self) -> dict[str, str]:
        raise AssertionError("the translator asked AWS for managed policies")


def cfn_template(path: Path) -> Template:
    plain: Template = json.loads(json.dumps(load_cfn_yaml(str(path))))
    return plain


@pytest.fixture(scope="module")
def sam_template() -> Template:
    template = cfn_template(ROOT / "template.yaml")
    resources = template["Resources"]
    assert resources["WatchdogFunction"]["Properties"]["CodeUri"] == "."
    assert (ROOT / resources["FanOutStateMachine"]["Properties"]["DefinitionUri"]) == ASL_PATH
    resources["WatchdogFunction"]["Properties"]["CodeUri"] = "s3://artifacts/watchdog.zip"
    resources["FanOutStateMachine"]["Properties"]["DefinitionUri"] = "s3://artifacts/fanout.json"
    return template


@pytest.fixture
def deploy(sam_template: Template, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Translate template.yaml offline, then decide its conditions for these parameters."""
    monkeypatch.setattr(ArnGenerator, "BOTO_SESSION_REGION_NAME", "us-east-1")

    def deploy_with(**parameters: str) -> Template:
        translated = transform(
            copy.deepcopy(sam_template), dict(parameters), NoManagedPolicyLookups()
        )
        return deployed(translated, parameters)

    return deploy_with


def deployed(template: Template, parameters: dict[str, str]) -> Template:
    """Parameters, Resources and Outputs as a stack with these parameter values holds them."""
    values = {n: str(p.get("Default", "")) for n, p in template["Parameters"].items()}
    values.update(parameters)
    conditions: dict[str, Any] = template.get("Conditions", {})
    decided: dict[str, bool] = {}

    def operand(node: Any) -> str:
        return values[node["Ref"]] if isinstance(node, dict) else str(node)

    def holds(node: Any) -> bool:
        [(function, args)] = node.items()
        if function == "Condition":
            return condition(args)
        if function == "Fn::Equals":
            return operand(args[0]) == operand(args[1])
        if function == "Fn::Not":
            return not holds(args[0])
        if function == "Fn::And":
            return all(holds(a) for a in args)
        if function == "Fn::Or":
            return any(holds(a) for a in args)
        raise AssertionError(f"unexpected condition function {function}")

    def condition(name: str) -> bool:
        if name not in decided:
            decided[name] = holds(conditions[name])
        return decided[name]

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if node == {"Ref": "AWS::NoValue"}:
                return NO_VALUE
            if list(node) == ["Fn::If"]:
                name, yes, no = node["Fn::If"]
                return resolve(yes if condition(name) else no)
            kept = {k: resolve(v) for k, v in node.items()}
            return {k: v for k, v in kept.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in map(resolve, node) if v is not NO_VALUE]
        return node

    def present(section: str) -> dict[str, Any]:
        items = template.get(section, {}).items()
        return {k: v for k, v in items if "Condition" not in v or condition(v["Condition"])}

    return {
        "Parameters": values,
        "Resources": resolve(present("Resources")),
        "Outputs": resolve(present("Outputs")),
    }


def of_type(template: Template, kind: str) -> dict[str, Any]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def statements(template: Template, role: str) -> dict[str, dict[str, Any]]:
    """The role's inline statements by Sid (SAM's own carry none)."""
    found = {}
    for policy in template["Resources"][role]["Properties"].get("Policies", []):
        for statement in policy["PolicyDocument"]["Statement"]:
            found[statement.get("Sid", policy["PolicyName"])] = statement
    return found


def actions(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def readme_block(start: str, end: str) -> set[str]:
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index(start) : readme.index(end, readme.index(start))]
    return set(ACTION.findall(block))


def function_env(template: Template) -> dict[str, Any]:
    function = template["Resources"]["WatchdogFunction"]["Properties"]
    env: dict[str, Any] = function["Environment"]["Variables"]
    return env


def apply_execute_actions() -> set[str]:
    return readme_block("`apply --execute` also needs", "after a domain is deleted")


def is_read(action: str) -> bool:
    return action.split(":")[1].startswith(("List", "Describe", "Get"))


def is_change(action: str) -> bool:
    """A call that changes a watched resource (the store's own writes are not one)."""
    service, name = action.split(":")
    watched = service in ("sagemaker", "bedrock", "elasticfilesystem", "ec2")
    return watched and name.startswith(
        ("Delete", "Stop", "Add", "Tag", "Create", "Start", "Revoke")
    )


def references(node: Any) -> set[str]:
    """The names a node refers to: what CloudFormation orders resource creation by."""
    if isinstance(node, dict):
        found = set()
        for key, value in node.items():
            if key == "Ref":
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= {v.split(".")[0] for v in re.findall(r"\$\{([^}!]+)\}", text)}
            elif key == "DependsOn":
                found |= {value} if isinstance(value, str) else set(value)
            found |= references(value)
        return found
    if isinstance(node, list):
        return set().union(*map(references, node)) if node else set()
    return set()


# The function and the store.

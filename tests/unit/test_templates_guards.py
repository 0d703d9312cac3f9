"""IAM holds what the code holds: no teardown of what is tagged watchdog:exempt=true, a public
function URL that cannot take the account's concurrency, and a member role that trusts the
watchdog's own role unless told, in so many words, to trust its whole account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cfnlint
import pytest

from tests.unit.sam import ROOT, actions, cfn_template, deploy, sam_template, statements
from watchdog.kinds import REGISTRY
from watchdog.kinds._park import all_ways

__all__ = ["deploy", "sam_template"]  # fixtures, used by name

EXEMPT = {"StringEqualsIgnoreCase": {"aws:ResourceTag/watchdog:exempt": "true"}}
MEMBER_ROLE = ROOT / "deploy" / "member-role.yaml"


def tag_conditioned(action: str) -> bool:
    """Whether the action's resource takes aws:ResourceTag (cfn-lint's catalogue, from the
    Service Authorization Reference)."""
    path = Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json"
    catalogue = json.loads(path.read_text(encoding="utf-8"))
    service, name = action.split(":")
    entry = catalogue[service]
    keys: set[str] = set()
    for resource in entry["Actions"][name.lower()].get("Resources", []):
        keys |= set(entry["Resources"].get(resource, {}).get("ConditionKeys", []))
    return "aws:ResourceTag/${TagKey}" in keys


def test_enforce_denies_every_teardown_of_an_exempt_resource_iam_can_see(deploy: Any) -> None:
    granted = statements(deploy(Mode="enforce"), "WatchdogFunctionRole")

    deny = granted["NeverTearDownExempt"]
    assert deny["Effect"] == "Deny" and deny["Resource"] == "*"
    assert deny["Condition"] == EXEMPT
    teardown = actions(granted["EnforceTeardown"])
    # Bringing a parked resource back (and the tags its create sends) is not a teardown: the
    # exemption does not deny it.
    parks = [way for s in REGISTRY for way in all_ways(s.park)]
    resumes = {p.resume.op for p in parks} | {a for p in parks for a in p.iam}
    assert actions(deny) == {a for a in teardown if tag_conditioned(a) and a not in resumes}
    # The ones IAM cannot condition on a tag are said in the README.
    untaggable = sorted(teardown - actions(deny) - resumes)
    assert untaggable == [
        "aoss:DeleteCollection",
        "bedrock:DeleteMarketplaceModelEndpoint",
        "sagemaker:DeleteMlflowTrackingServer",
        "sagemaker:StopMlflowTrackingServer",
    ]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert all(a in readme for a in untaggable)


def test_the_member_role_denies_the_same(deploy: Any) -> None:
    template = cfn_template(MEMBER_ROLE)
    enforce = template["Resources"]["EnforcePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    by_sid = {s["Sid"]: s for s in enforce}
    function = statements(deploy(Mode="enforce"), "WatchdogFunctionRole")["NeverTearDownExempt"]

    assert by_sid["NeverTearDownExempt"]["Effect"] == "Deny"
    assert by_sid["NeverTearDownExempt"]["Condition"] == EXEMPT
    assert actions(by_sid["NeverTearDownExempt"]) == actions(function)


def test_the_public_function_has_reserved_concurrency(deploy: Any) -> None:
    function = deploy()["Resources"]["WatchdogFunction"]["Properties"]
    assert function["ReservedConcurrentExecutions"] == {"Ref": "ReservedConcurrency"}
    chosen = deploy(ReservedConcurrency="7")
    assert chosen["Parameters"]["ReservedConcurrency"] == "7"
    # The default leaves room for a full fan-out and clicks beside it.
    defaults = deploy()["Parameters"]
    assert int(defaults["ReservedConcurrency"]) > int(defaults["FanOutMaxConcurrency"])


def rule_holds(template: dict[str, Any], parameters: dict[str, str]) -> bool:
    """CloudFormation's Rules, evaluated as it does before creating anything (the functions
    these rules use: Equals, Ref)."""
    values = {n: str(p.get("Default", "")) for n, p in template["Parameters"].items()}
    values.update(parameters)

    def value(node: Any) -> Any:
        if isinstance(node, dict) and "Ref" in node:
            return values[node["Ref"]]
        if isinstance(node, dict) and "Fn::Equals" in node:
            left, right = node["Fn::Equals"]
            return value(left) == value(right)
        return node

    for rule in template["Rules"].values():
        if "RuleCondition" in rule and not value(rule["RuleCondition"]):
            continue
        if not all(value(a["Assert"]) for a in rule["Assertions"]):
            return False
    return True


@pytest.mark.parametrize(
    ("parameters", "deploys"),
    [
        ({}, False),  # no role named, no trust given: refused before anything is created
        ({"TrustWholeAccount": "yes"}, True),
        ({"WatchdogRoleArn": "arn:aws:iam::111122223333:role/watchdog"}, True),
    ],
)
def test_the_member_role_trusts_a_whole_account_only_when_told(
    parameters: dict[str, str], deploys: bool
) -> None:
    template = cfn_template(MEMBER_ROLE)
    base = {"WatchdogAccountId": "111122223333", "ExternalId": "x-1"}
    assert rule_holds(template, base | parameters) is deploys

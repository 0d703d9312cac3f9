"""The fan-out state machine's definition and what the template gives it, the member role's
template, and where policies come from."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.unit.sam import (
    ASL_PATH,
    ROOT,
    actions,
    cfn_template,
    deploy,
    deployed,
    function_env,
    of_type,
    sam_template,
    statements,
)

__all__ = ["deploy", "sam_template"]  # fixtures, used by name


def test_the_state_machine_fills_every_placeholder_of_its_definition(deploy: Any) -> None:
    [machine] = of_type(deploy(FanOut="true"), "AWS::StepFunctions::StateMachine").values()

    substitutions = machine["Properties"]["DefinitionSubstitutions"]
    placeholders = set(re.findall(r"\$\{(\w+)\}", ASL_PATH.read_text()))
    assert placeholders == set(substitutions)
    assert substitutions["WatchdogFunctionArn"] == {"Fn::GetAtt": ["WatchdogFunction", "Arn"]}
    assert substitutions["MaxConcurrency"] == {"Ref": "FanOutMaxConcurrency"}


def test_the_state_machine_may_invoke_the_function_and_run_its_map(deploy: Any) -> None:
    template = deploy(FanOut="true")

    granted = statements(template, "FanOutStateMachineRole")
    assert granted["InvokeWatchdog"]["Resource"] == {"Fn::GetAtt": ["WatchdogFunction", "Arn"]}
    [machine] = of_type(template, "AWS::StepFunctions::StateMachine").values()
    name = machine["Properties"]["StateMachineName"]["Fn::Sub"]
    assert granted["RunDistributedMap"]["Resource"]["Fn::Sub"].endswith(":stateMachine:" + name)
    assert granted["WatchMapRuns"]["Resource"]["Fn::Sub"].endswith(f":execution:{name}/*")


def asl(**values: str) -> dict[str, Any]:
    """The definition as Step Functions gets it: placeholders substituted."""
    text = ASL_PATH.read_text()
    defaults = {
        "Partition": "aws",
        "WatchdogFunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:ai-cost-watchdog",
        "MaxConcurrency": "20",
        "ToleratedFailurePercentage": "10",
    }
    for name, value in (defaults | values).items():
        text = text.replace("${" + name + "}", value)
    definition: dict[str, Any] = json.loads(text)
    return definition


def lambda_tasks(states: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, state in states.items():
        if state["Type"] == "Task":
            found[name] = state
        if state["Type"] == "Map":
            found |= lambda_tasks(state["ItemProcessor"]["States"])
    return found


def test_the_definition_is_json_before_and_after_substitution() -> None:
    json.loads(ASL_PATH.read_text())

    definition = asl()

    assert definition["StartAt"] in definition["States"]
    for state in definition["States"].values():
        for target in (state.get("Next"), state.get("Default")):
            assert target is None or target in definition["States"]


def test_the_definition_fans_out_with_a_distributed_map_over_the_shards() -> None:
    [scan] = [s for s in asl()["States"].values() if s["Type"] == "Map"]

    assert scan["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    # Children may run a full 15-minute Lambda: EXPRESS workflows stop at 5 minutes.
    assert scan["ItemProcessor"]["ProcessorConfig"]["ExecutionType"] == "STANDARD"
    assert scan["ItemsPath"] == "$.shards"
    assert scan["MaxConcurrencyPath"] == "$.max_concurrency"
    assert scan["ToleratedFailurePercentagePath"] == "$.tolerated_failure_percentage"
    assert scan["ResultPath"] is None
    assert {c["Next"] for c in scan["Catch"]} == {scan["Next"]}


def test_the_definition_invokes_the_function_with_the_event_contract() -> None:
    definition = asl(WatchdogFunctionArn="arn:aws:lambda:eu-west-1:111122223333:function:w")

    payloads = {
        name: task["Parameters"]["Payload"]
        for name, task in lambda_tasks(definition["States"]).items()
    }
    assert payloads == {
        "ListShards": {"watchdog": "shards"},
        "ScanShard": {
            "watchdog": "shard",
            "account.$": "$.account",
            "region.$": "$.region",
            "started_at.$": "$.started_at",
        },
        "Notify": {"watchdog": "notify", "started_at.$": "$.started_at"},
    }
    shards = definition["States"]["ListShards"]["ResultSelector"]
    assert shards["shards.$"] == "$.Payload.shards"
    assert shards["started_at.$"] == "$.Payload.started_at"
    map_state = definition["States"]["ScanShards"]
    assert map_state["ItemSelector"] == {
        "account.$": "$$.Map.Item.Value.account",
        "region.$": "$$.Map.Item.Value.region",
        "started_at.$": "$.started_at",
    }
    for task in lambda_tasks(definition["States"]).values():
        assert task["Resource"] == "arn:aws:states:::lambda:invoke"
        assert task["Parameters"]["FunctionName"].endswith(":function:w")
        retried = {e for r in task["Retry"] for e in r["ErrorEquals"]}
        assert "Lambda.TooManyRequestsException" in retried


def test_the_concurrency_settings_become_numbers_for_the_map() -> None:
    selector = asl(MaxConcurrency="35")["States"]["ListShards"]["ResultSelector"]

    assert selector["max_concurrency.$"] == "States.StringToJson('35')"
    assert selector["tolerated_failure_percentage.$"] == "States.StringToJson('10')"


# The member-account role (plain CloudFormation, for StackSets).


@pytest.mark.parametrize("mode", ["dry-run", "enforce"])
def test_the_member_role_grants_what_the_function_does_in_an_account(
    deploy: Any, mode: str
) -> None:
    member_template = cfn_template(ROOT / "deploy" / "member-role.yaml")
    member = deployed(member_template, {"WatchdogAccountId": "111122223333", "Mode": mode})
    function = statements(deploy(Mode=mode), "WatchdogFunctionRole")

    role = member["Resources"]["MemberRole"]["Properties"]
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Condition"]["StringEquals"] == {"sts:ExternalId": {"Ref": "ExternalId"}}
    granted = set().union(*(actions(s) for s in statements(member, "MemberRole").values()))
    if mode == "enforce":
        policy = member["Resources"]["EnforcePolicy"]["Properties"]["PolicyDocument"]
        granted |= set().union(*(actions(s) for s in policy["Statement"]))
    else:
        assert "EnforcePolicy" not in member["Resources"]
    home_only = {
        "sts:GetCallerIdentity",  # needs no permission; asked of the watchdog's own account
        "pricing:GetProducts",
        "ce:GetCostAndUsage",
        "ce:GetCostForecast",
        "ce:GetCostAndUsageWithResources",
        "organizations:ListAccounts",
        "sts:AssumeRole",
        "lambda:InvokeFunction",
        "lambda:GetFunctionUrlConfig",
        "ssm:GetParameter",
        "secretsmanager:GetSecretValue",
        "kms:Decrypt",
    }
    in_accounts = {
        a
        for sid, s in function.items()
        if sid != "Store"
        for a in actions(s)
        if not a.startswith("sqs:")
    }
    assert granted == in_accounts - home_only


def test_the_member_role_can_trust_just_the_function_role() -> None:
    template = cfn_template(ROOT / "deploy" / "member-role.yaml")
    arn = "arn:aws:iam::111122223333:role/watchdog-WatchdogFunctionRole-ABC"

    member = deployed(template, {"WatchdogAccountId": "111122223333", "WatchdogRoleArn": arn})

    [trust] = member["Resources"]["MemberRole"]["Properties"]["AssumeRolePolicyDocument"][
        "Statement"
    ]
    assert trust["Condition"]["ArnEquals"] == {"aws:PrincipalArn": {"Ref": "WatchdogRoleArn"}}


def test_policies_come_from_the_package_unless_a_bucket_or_appconfig_is_named(
    deploy: Any,
) -> None:
    shipped = deploy()
    bucket = deploy(PolicyBucket="finops-policies")
    appconfig = deploy(PolicyAppConfig="watchdog/prod/policies", PolicyBucket="ignored")

    assert "WATCHDOG_POLICIES" not in function_env(shipped)
    assert not {"ReadPolicyBucket", "ReadPolicyObjects", "ReadPolicyAppConfig"} & set(
        statements(shipped, "WatchdogFunctionRole")
    )
    assert function_env(bucket)["WATCHDOG_POLICIES"] == {
        "Fn::Sub": "s3://${PolicyBucket}/${PolicyPrefix}"
    }
    granted = statements(bucket, "WatchdogFunctionRole")
    assert actions(granted["ReadPolicyBucket"]) == {"s3:ListBucket"}
    assert granted["ReadPolicyBucket"]["Condition"] == {
        "StringLike": {"s3:prefix": {"Fn::Sub": "${PolicyPrefix}*"}}
    }
    assert actions(granted["ReadPolicyObjects"]) == {"s3:GetObject"}
    assert function_env(appconfig)["WATCHDOG_POLICIES"] == {
        "Fn::Sub": "appconfig://${PolicyAppConfig}"
    }
    granted = statements(appconfig, "WatchdogFunctionRole")
    assert "ReadPolicyBucket" not in granted
    assert actions(granted["ReadPolicyAppConfig"]) == {
        "appconfig:StartConfigurationSession",
        "appconfig:GetLatestConfiguration",
    }

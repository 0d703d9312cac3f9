"""template.yaml through the AWS SAM translator, offline, for each Mode and FanOut; the state
machine's definition; and deploy/member-role.yaml.

The translator leaves Conditions and Fn::If to CloudFormation, so `deployed` decides them for a
set of parameter values the way CloudFormation would: what it returns is what a stack with those
parameters holds. Local paths are rewritten to S3 URIs first, as `sam package` does.
"""

from __future__ import annotations

import copy
import graphlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml
from samtranslator.translator.arn_generator import ArnGenerator
from samtranslator.translator.transform import transform

from watchdog.kinds import REGISTRY
from watchdog.store.dynamodb import STEPS_INDEX, TABLE_DEFINITION, TTL_ATTRIBUTE

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


def test_the_store_table_is_exactly_the_table_the_code_creates(deploy: Any) -> None:
    [table] = of_type(deploy(), "AWS::DynamoDB::Table").values()

    properties = table["Properties"]
    assert {k: properties[k] for k in TABLE_DEFINITION} == TABLE_DEFINITION
    assert properties["GlobalSecondaryIndexes"][0]["IndexName"] == STEPS_INDEX
    assert properties["TimeToLiveSpecification"] == {
        "AttributeName": TTL_ATTRIBUTE,
        "Enabled": True,
    }
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["DeletionPolicy"] == "Retain"


def test_the_function_is_told_its_store_and_mode_and_unset_parameters_stay_unset(
    deploy: Any,
) -> None:
    template = deploy()
    function = template["Resources"]["WatchdogFunction"]["Properties"]

    assert function["Handler"] == "lambda_handler.handler"
    assert function["Runtime"] == "python3.12"
    assert function["Timeout"] == 900
    env = function_env(template)
    assert env["WATCHDOG_STORE"] == {"Fn::Sub": "dynamodb://${StoreTable}"}
    assert env["WATCHDOG_MODE"] == {"Ref": "Mode"}
    assert template["Parameters"]["Mode"] == "dry-run"
    # Unset parameters leave their settings unset rather than empty (an empty URL is invalid).
    for unset in ("WATCHDOG_PUBLIC_URL", "WATCHDOG_MEMBER_ROLE", "WATCHDOG_SLACK_CHANNEL"):
        assert unset not in env


def test_the_function_url_is_public_and_its_url_is_an_output(deploy: Any) -> None:
    template = deploy()

    [url] = of_type(template, "AWS::Lambda::Url").values()
    assert url["Properties"]["AuthType"] == "NONE"
    assert url["Properties"]["TargetFunctionArn"] == {"Ref": "WatchdogFunction"}
    outputs = template["Outputs"]
    assert outputs["FunctionUrl"]["Value"] == {"Fn::GetAtt": ["WatchdogFunctionUrl", "FunctionUrl"]}
    assert outputs["SlackInteractivityUrl"]["Value"] == {
        "Fn::Sub": "${WatchdogFunctionUrl.FunctionUrl}slack/interactions"
    }
    assert {"TableName", "DeadLetterQueueUrl", "FunctionRoleArn"} <= set(outputs)


def test_a_public_url_parameter_becomes_the_links_base(deploy: Any) -> None:
    url = "https://abc.lambda-url.us-east-1.on.aws/"

    assert function_env(deploy(PublicUrl=url))["WATCHDOG_PUBLIC_URL"] == {"Ref": "PublicUrl"}


def test_failed_asynchronous_invocations_go_to_the_dead_letter_queue(deploy: Any) -> None:
    template = deploy()

    [config] = of_type(template, "AWS::Lambda::EventInvokeConfig").values()
    destination = config["Properties"]["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
    assert template["Resources"]["DeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    sends = statements(template, "WatchdogFunctionRole")
    assert any(actions(s) == {"sqs:SendMessage"} for s in sends.values())


def test_logs_are_kept_for_the_retention_parameter(deploy: Any) -> None:
    template = deploy()

    group = template["Resources"]["WatchdogLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${FunctionName}"}
    assert template["Parameters"]["LogRetentionDays"] == "30"
    function = template["Resources"]["WatchdogFunction"]["Properties"]
    assert function["LoggingConfig"]["LogGroup"] == {"Ref": "WatchdogLogGroup"}


@pytest.mark.parametrize("fan_out", ["false", "true"])
@pytest.mark.parametrize("mode", ["dry-run", "enforce"])
def test_no_resource_depends_on_itself(deploy: Any, mode: str, fan_out: str) -> None:
    resources = deploy(Mode=mode, FanOut=fan_out)["Resources"]

    graph = {name: references(resource) & set(resources) for name, resource in resources.items()}
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError


# Permissions.


def test_the_function_may_invoke_itself_and_read_its_url_by_its_explicit_name(
    deploy: Any,
) -> None:
    template = deploy()

    granted = statements(template, "WatchdogFunctionRole")
    own = {
        "Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}"
        ":function:${FunctionName}"
    }
    invoke = granted["InvokeSelfAsynchronously"]
    assert actions(invoke) == {"lambda:InvokeFunction"} and invoke["Resource"] == own
    url = granted["ReadOwnFunctionUrl"]
    assert actions(url) == {"lambda:GetFunctionUrlConfig"} and url["Resource"] == own
    function = template["Resources"]["WatchdogFunction"]["Properties"]
    assert function["FunctionName"] == {"Ref": "FunctionName"}


def test_dry_run_grants_every_documented_read_and_nothing_that_changes_anything(
    deploy: Any,
) -> None:
    granted = statements(deploy(), "WatchdogFunctionRole")
    reads = readme_block("### Read-only IAM permissions", "`apply --execute` also needs")
    reads |= {a for a in apply_execute_actions() if is_read(a)}

    assert "EnforceTeardown" not in granted
    assert "ReportLeftovers" not in granted
    exempt = granted.pop("ExemptTag")
    always = set().union(*(actions(s) for s in granted.values()))
    conditional = {"organizations:ListAccounts", "sts:AssumeRole"}
    assert sorted(reads - conditional - always) == []
    assert not any(is_change(a) for a in always)
    # The Exempt button works in dry-run too, and can add only watchdog:exempt=true.
    assert actions(exempt) == {spec.tagging().write_action for spec in REGISTRY}
    assert exempt["Condition"] == {
        "ForAllValues:StringEquals": {"aws:TagKeys": ["watchdog:exempt"]},
        "StringEquals": {"aws:RequestTag/watchdog:exempt": "true"},
    }


def test_enforce_grants_every_change_apply_execute_makes_and_the_exempt_tags(
    deploy: Any,
) -> None:
    granted = statements(deploy(Mode="enforce"), "WatchdogFunctionRole")

    enforce = actions(granted["EnforceTeardown"])
    changes = {a for a in apply_execute_actions() if not is_read(a)}
    assert changes, "the README's apply --execute list was not found"
    assert sorted(changes - enforce - {"sagemaker:AddTags", "bedrock:TagResource"}) == []
    assert granted["EnforceTeardown"]["Resource"] == "*"
    # Leftovers are reported, never deleted, from the Lambda.
    assert actions(granted["ReportLeftovers"]) == readme_block(
        "after a domain is deleted, to report", "leftovers --execute also"
    )


def test_the_store_permissions_cover_every_dynamodb_call_the_store_makes(deploy: Any) -> None:
    granted = statements(deploy(), "WatchdogFunctionRole")["Store"]
    sources = "".join(
        p.read_text() for p in (ROOT / "watchdog" / "store" / "dynamodb").glob("*.py")
    )
    calls = set(re.findall(r"_call\(\s*\"(\w+)\"", sources))

    assert calls, "no DynamoDB calls found in watchdog/store"
    # A transaction is authorised item by item (its Puts need PutItem), not as an action.
    needed = {
        "dynamodb:" + "".join(w.title() for w in c.split("_"))
        for c in calls
        if not c.startswith("transact_")
    }
    assert sorted(needed - actions(granted)) == []
    assert granted["Resource"] == [
        {"Fn::GetAtt": ["StoreTable", "Arn"]},
        {"Fn::Sub": "${StoreTable.Arn}/index/*"},
    ]


def test_member_accounts_are_entered_only_with_a_member_role(deploy: Any) -> None:
    assert "EnterMemberAccounts" not in statements(deploy(), "WatchdogFunctionRole")
    assert "ListOrganizationAccounts" not in statements(deploy(), "WatchdogFunctionRole")

    template = deploy(Accounts="organization", MemberRoleName="watchdog-reader", ExternalId="x")

    granted = statements(template, "WatchdogFunctionRole")
    assert granted["EnterMemberAccounts"]["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"
    }
    assert actions(granted["ListOrganizationAccounts"]) == {"organizations:ListAccounts"}
    assert function_env(template)["WATCHDOG_EXTERNAL_ID"] == {"Ref": "ExternalId"}


SECRETS = {
    "SlackBotTokenName": "SLACK_BOT_TOKEN",
    "SlackSigningSecretName": "SLACK_SIGNING_SECRET",
    "LinkSecretName": "LINK_SECRET",
}


def test_secret_names_must_start_with_a_slash_so_their_arns_are_right(
    sam_template: Template,
) -> None:
    for parameter in SECRETS:
        pattern = re.compile(sam_template["Parameters"][parameter]["AllowedPattern"])
        assert pattern.fullmatch("")
        assert pattern.fullmatch("/ai-cost-watchdog/slack-bot-token")
        assert not pattern.fullmatch("slack-bot-token")
        assert not pattern.fullmatch("arn:aws:secretsmanager:us-east-1:1:secret:x")


def test_without_secrets_the_function_reads_none(deploy: Any) -> None:
    template = deploy()

    granted = statements(template, "WatchdogFunctionRole")
    assert not {"ReadSecretsFromSsm", "ReadSecretsFromSecretsManager", "DecryptSecrets"} & set(
        granted
    )
    assert not [k for k in function_env(template) if k.endswith(("_PARAM", "_SECRET_ID"))]


def test_secrets_in_ssm_are_named_to_the_function_and_only_those_parameters_are_readable(
    deploy: Any,
) -> None:
    names = {p: f"/ai-cost-watchdog/{s.lower()}" for p, s in SECRETS.items()}

    template = deploy(SecretSource="ssm", **names)

    env = function_env(template)
    assert {k for k in env if k.endswith(("_PARAM", "_SECRET_ID"))} == {
        f"WATCHDOG_{s}_PARAM" for s in SECRETS.values()
    }
    for parameter, setting in SECRETS.items():
        assert env[f"WATCHDOG_{setting}_PARAM"] == {"Ref": parameter}
    granted = statements(template, "WatchdogFunctionRole")
    assert "ReadSecretsFromSecretsManager" not in granted
    ssm = granted["ReadSecretsFromSsm"]
    assert actions(ssm) == {"ssm:GetParameter"}
    prefix = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
    assert ssm["Resource"] == [{"Fn::Sub": prefix + "${" + p + "}"} for p in SECRETS]


def test_secrets_in_secrets_manager_are_named_to_the_function_and_only_those_are_readable(
    deploy: Any,
) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    template = deploy(
        SecretSource="secretsmanager",
        SlackBotTokenName="/ai-cost-watchdog/slack-bot-token",
        SecretsKmsKeyArn=key,
    )

    env = function_env(template)
    assert env["WATCHDOG_SLACK_BOT_TOKEN_SECRET_ID"] == {"Ref": "SlackBotTokenName"}
    assert not [k for k in env if k.endswith("_PARAM")]
    granted = statements(template, "WatchdogFunctionRole")
    assert "ReadSecretsFromSsm" not in granted
    secrets = granted["ReadSecretsFromSecretsManager"]
    assert actions(secrets) == {"secretsmanager:GetSecretValue"}
    assert secrets["Resource"] == [
        {
            "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}"
            ":secret:${SlackBotTokenName}-??????"
        }
    ]
    assert granted["DecryptSecrets"]["Resource"] == {"Ref": "SecretsKmsKeyArn"}


# Fan-out.


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

"""template.yaml as deployed, for each Mode and FanOut: the function, its store, its URL, its
logs and its secrets, and what its role grants in each mode."""

from __future__ import annotations

import graphlib
import re
from typing import Any

import pytest

from tests.unit.sam import (
    ROOT,
    Template,
    actions,
    apply_execute_actions,
    deploy,
    function_env,
    is_change,
    is_read,
    of_type,
    readme_block,
    references,
    sam_template,
    statements,
)
from watchdog.kinds import REGISTRY
from watchdog.store.dynamodb import STEPS_INDEX, TABLE_DEFINITION, TTL_ATTRIBUTE

__all__ = ["deploy", "sam_template"]  # fixtures, used by name


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
    "TeamsWebhookUrlName": "TEAMS_WEBHOOK_URL",
    "WebhookUrlName": "WEBHOOK_URL",
    "WebhookSecretName": "WEBHOOK_SECRET",
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

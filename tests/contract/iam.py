"""The declared IAM actions held to the calls the code really makes (test_contract's journey).

Each captured call is an IAM action: the service's IAM prefix and the operation's name, except
where IAM names them otherwise (RENAMED). Each phase of the journey is a command, and a command
may only make calls its modes declare (PHASE_MODES). The other way round, every declared action
is made somewhere in the journey, or is in NOT_MADE with the reason it is not: IAM checks it
without a call of its own (AUTHORIZATION_ONLY), or the journey does not reach the call - then
the product's source must still make it (named as a boto3 method, or as an operation it invokes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import botocore.session
from botocore import xform_name

from tests.contract.capture import Call
from watchdog.aws.permissions import Mode, Where
from watchdog.permissions import grants, needed

PACKAGE = Path(__file__).resolve().parents[2] / "watchdog"

# botocore's service name -> IAM's prefix, where they differ.
IAM_PREFIX = {
    "resourcegroupstaggingapi": "tag",
    "efs": "elasticfilesystem",
    "appconfigdata": "appconfig",
    # Agents for Bedrock (knowledge bases, data sources, agents) authorizes as bedrock:*.
    "bedrock-agent": "bedrock",
    "opensearchserverless": "aoss",
    "sesv2": "ses",
}
# Operations IAM authorizes under another action's name.
RENAMED: dict[tuple[str, str], str] = {
    ("lambda", "Invoke"): "lambda:InvokeFunction",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    # The store's transactions hold only Puts; IAM checks each as dynamodb:PutItem.
    ("dynamodb", "TransactWriteItems"): "dynamodb:PutItem",
}

# The modes each command of the journey may use (test_contract._walk names the phases).
PHASE_MODES: dict[str, tuple[Mode, ...]] = {
    "plan": ("accounts", "scan", "signals"),
    "apply": ("accounts", "scan", "signals", "verify"),
    "exempt": ("accounts", "exempt"),
    "apply --execute": ("accounts", "scan", "signals", "verify", "teardown", "report"),
    "park --execute": ("accounts", "scan", "signals", "verify", "teardown", "report"),
    "resume --execute": ("accounts", "verify", "teardown"),
    "restore --execute": ("accounts", "restore"),
    "leftovers --execute": ("accounts", "report", "leftovers"),
}

AUTHORIZATION_ONLY = {
    "iam:PassRole": "CreateModel passes the model's execution role; IAM checks PassRole then",
    "ec2:DeleteNetworkInterface": "EFS deletes a mount target's interface with the caller's rights",
    "kms:Decrypt": "SSM / Secrets Manager decrypt a customer-key secret with the caller's rights",
    "sagemaker:UpdateEndpointWeightsAndCapacities": "RegisterScalableTarget on an endpoint "
    "variant needs it of its caller (Application Auto Scaling's identity-based policy examples)",
}
NOT_IN_JOURNEY = {
    "ec2:DescribeRegions": "the journey names its regions; --regions all calls it",
    "ce:GetCostAndUsageWithResources": "opt-in (WATCHDOG_CE_PER_RESOURCE), off in the journey",
    "sagemaker:AddTags": "the journey exempts a Bedrock finding; restore's and resume's Create* "
    "calls carry Tags, which IAM also checks as sagemaker:AddTags",
    "sagemaker:StopMlflowTrackingServer": "the journey's policy deletes; a stop policy stops",
    "ec2:StopInstances": "the journey's policy deletes (terminates); a stop policy stops",
    "ec2:StartInstances": "the journey restores an endpoint, not a stopped instance",
    "application-autoscaling:RegisterScalableTarget": "the journey does not park; an "
    "asynchronous endpoint's park and resume call it, and a component's when auto scaled",
    "sagemaker:UpdateInferenceComponentRuntimeConfig": "the journey does not park; an endpoint "
    "of inference components parks and resumes by its copy counts",
    "ec2:CreateTags": "the journey exempts a Bedrock finding",
    "aoss:TagResource": "the journey exempts a Bedrock finding",
}
NOT_MADE = {**AUTHORIZATION_ONLY, **NOT_IN_JOURNEY}


def iam_action(service: str, operation: str) -> str:
    renamed = RENAMED.get((service, operation))
    return renamed or f"{IAM_PREFIX.get(service, service)}:{operation}"


def allowed(phase: str, where: Where) -> set[str]:
    """What the phase's modes declare; for a call made with a member account's role, only what
    is declared for each account (what deploy/member-role.yaml's statements are built from)."""
    return {action for mode in PHASE_MODES[phase] for action in needed(mode, where)}


def undeclared(calls: Iterable[Call]) -> list[str]:
    """Calls whose IAM action the modes of their command do not declare."""
    problems = set()
    for call in calls:
        action = iam_action(call.service, call.operation)
        if call.phase not in PHASE_MODES:
            problems.add(f"{action}: made outside a known phase ({call.phase!r})")
        elif action not in allowed(call.phase, "each" if call.member else "home"):
            modes = ", ".join(PHASE_MODES[call.phase])
            where = " in a member account" if call.member else ""
            problems.add(f"{action}: made by {call.phase}{where}, declared for none of {modes}")
    return sorted(problems)


def never_made(calls: Iterable[Call]) -> list[str]:
    """Declared actions the journey never makes, without a stated reason, or whose reason is
    stale; and reasons "not in the journey" the product's source does not back."""
    made = {iam_action(c.service, c.operation) for c in calls}
    service = {g.action for g in grants() if "service" in g.modes}
    declared = {g.action for g in grants()}
    problems = [
        f"{a}: declared, never made" for a in sorted(declared - made - service) if a not in NOT_MADE
    ]
    problems += [f"{a}: listed in NOT_MADE but made" for a in sorted(set(NOT_MADE) & made)]
    problems += [
        f"{a}: listed in NOT_MADE, declared by nothing" for a in sorted(set(NOT_MADE) - declared)
    ]
    # The Lambda's plumbing (store, secrets, self-invocation) is outside the CLI journey.
    for action in sorted((set(NOT_IN_JOURNEY) | service) - set(AUTHORIZATION_ONLY)):
        if not called_in_source(action):
            problems.append(f"{action}: the product's source makes no such call")
    return problems


@cache
def product_source() -> str:
    files = [p for p in PACKAGE.rglob("*.py") if "sandbox" not in p.relative_to(PACKAGE).parts]
    files.append(PACKAGE.parent / "lambda_handler.py")
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(files))


def called_in_source(action: str) -> bool:
    """A boto3 method of the action's operation, or the operation invoked by its name."""
    operations = [op for (_, op), renamed in RENAMED.items() if renamed == action]
    operations.append(action.split(":", 1)[1])
    text = product_source()
    for operation in operations:
        if re.search(rf"\b{xform_name(operation)}\b", text):
            return True
    return f'op="{action}"' in text


# Boto3 services the product uses, for the static check below.
SERVICES = (
    "sagemaker", "bedrock", "sts", "organizations", "ec2", "cloudwatch", "pricing",
    "resourcegroupstaggingapi", "ce", "efs", "dynamodb", "lambda", "s3", "appconfigdata", "ssm",
    "secretsmanager", "sesv2",
)  # fmt: skip
# Operations named in the product's source that no role needs.
NAMED_NOT_GRANTED = {
    "dynamodb:CreateTable": "store.dynamodb.create_table, run by a person with their own "
    "credentials (template.yaml creates the Lambda's table)",
    "dynamodb:UpdateTimeToLive": "the same create_table helper",
    "dynamodb:Scan": 'not a call: the IAM mode "scan" is quoted in watchdog/permissions.py',
}


def _names_in(text: str) -> tuple[set[str], set[str], set[str]]:
    """What the source names, read once (thousands of operations, one pass each was minutes):
    methods called (`.op_name(`), quoted words (`"op_name"`), and operation names quoted or
    after a colon (`"OpName"`, `service:OpName"`). Lookaheads: overlapping matches count."""
    called = set(re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)\(", text))
    quoted = set(re.findall(r"(?=[\"']([A-Za-z0-9_]+)[\"'])", text))
    operations = set(re.findall(r"(?=[\"':]([A-Za-z0-9]+)\")", text))
    return called, quoted, operations


def named_but_undeclared() -> list[str]:
    """Operations of the product's services that its source names (`.op_name(`, "op_name",
    "OpName") but nothing declares: a call the journey does not reach is still caught."""
    session = botocore.session.get_session()
    by_name: dict[str, list[str]] = {}
    for service in SERVICES:
        for operation in session.get_service_model(service).operation_names:
            by_name.setdefault(xform_name(operation), []).append(iam_action(service, operation))
    declared = {g.action for g in grants()}
    called, quoted, operation_names = _names_in(product_source())
    problems = []
    for name, actions in sorted(by_name.items()):
        operations = {a.split(":", 1)[1] for a in actions}
        named = name in called or name in quoted or bool(operations & operation_names)
        if named and not declared.intersection(actions) and not NAMED_NOT_GRANTED.keys() & actions:
            problems.append(f"{' or '.join(actions)}: named in the product's source, not declared")
    return problems

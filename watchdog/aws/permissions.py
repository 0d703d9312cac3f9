"""The IAM actions the watchdog needs beyond its kinds' own, each declared once, per mode.

A kind declares what its own calls need (`KindSpec.iam`, `Teardown`, its tag dialect's
actions); this module declares the calls every kind shares and those of the stages around them:
who the caller is and which accounts to enter, the tagging API, CloudWatch, Cost Explorer and
the Price List, what a deleted domain left behind (act/leftovers/), restore's role passing, and
the Lambda deployment's own plumbing (store, secrets, policy sources).
watchdog/permissions.py adds the kinds' declarations and builds each mode's full list, the
README's lists and the templates' statements from them; tests/contract checks every one
against the calls the code really makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# What a person or a schedule does, as IAM sees it:
# - accounts: who the caller is, which accounts there are, entering them (every command);
# - scan: the inventory's reads;      - signals: plan's metrics, costs and prices;
# - verify: what apply reads right before acting, dry-run too (descriptions and tags);
# - exempt: the Exempt button's one tag;  - teardown: stop and delete (enforce);
# - report: apply reporting what a deleted domain left behind (enforce);
# - leftovers: `leftovers --execute`;    - restore: `restore --execute`;
# - service: the Lambda deployment's own plumbing.
Mode = Literal[
    "accounts",
    "scan",
    "signals",
    "verify",
    "exempt",
    "teardown",
    "report",
    "leftovers",
    "restore",
    "service",
]
MODES: tuple[Mode, ...] = (
    "accounts",
    "scan",
    "signals",
    "verify",
    "exempt",
    "teardown",
    "report",
    "leftovers",
    "restore",
    "service",
)

# In which accounts the call is made: "each" scanned account (the member role needs it too), or
# only the watchdog's "home" account.
Where = Literal["each", "home"]


@dataclass(frozen=True)
class Grant:
    """One IAM action, the modes that need it and the stage whose call needs it."""

    action: str
    modes: tuple[Mode, ...]
    stage: str  # the module that makes the call
    where: Where = "each"
    # A template statement of its own (a narrower Resource or a condition of the template's):
    # the shared statements of its modes leave it out.
    sid: str | None = None
    # Shown beside it in the README: when it is needed.
    note: str = ""


SHARED: tuple[Grant, ...] = (
    Grant("sts:GetCallerIdentity", ("accounts",), "aws.scope", where="home"),
    Grant(
        "organizations:ListAccounts",
        ("accounts",),
        "aws.scope",
        where="home",
        sid="ListOrganizationAccounts",
        note="(--accounts organization)",
    ),
    Grant(
        "sts:AssumeRole",
        ("accounts",),
        "aws.scope",
        where="home",
        sid="EnterMemberAccounts",
        note="on the member role (other accounts)",
    ),
    Grant("ec2:DescribeRegions", ("scan",), "aws.scope", note="(--regions all)"),
    Grant("tag:GetResources", ("scan",), "inventory.tags"),
    Grant("cloudwatch:GetMetricData", ("signals",), "signals.metrics"),
    Grant("cloudwatch:ListMetrics", ("signals",), "signals.published"),
    Grant("pricing:GetProducts", ("signals",), "signals.prices", where="home"),
    Grant("ce:GetCostAndUsage", ("signals",), "signals.costs", where="home"),
    Grant("ce:GetCostForecast", ("signals",), "signals.costs", where="home"),
    Grant(
        "ce:GetCostAndUsageWithResources",
        ("signals",),
        "signals.costs",
        where="home",
        note="(opt-in)",
    ),
    Grant("elasticfilesystem:DeleteMountTarget", ("leftovers",), "act.leftovers"),
    # Not a call of the watchdog's: EFS deletes the mount target's network interface with the
    # caller's permissions.
    Grant("ec2:DeleteNetworkInterface", ("leftovers",), "act.leftovers"),
    Grant("elasticfilesystem:DeleteFileSystem", ("leftovers",), "act.leftovers"),
    Grant("ec2:RevokeSecurityGroupIngress", ("leftovers",), "act.leftovers"),
    Grant("ec2:RevokeSecurityGroupEgress", ("leftovers",), "act.leftovers"),
    Grant("ec2:DeleteSecurityGroup", ("leftovers",), "act.leftovers"),
    # It refuses while the domain still exists.
    Grant("sagemaker:DescribeDomain", ("leftovers",), "act.leftovers"),
    # Not a call either: CreateModel passes the model's execution role to SageMaker.
    Grant(
        "iam:PassRole",
        ("restore",),
        "act.restore_endpoint",
        note="on the models' execution roles, iam:PassedToService = sagemaker.amazonaws.com",
    ),
    *(
        Grant(action, ("service",), "store.dynamodb", where="home", sid="Store")
        for action in (
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
        )
    ),
    Grant(
        "lambda:InvokeFunction",
        ("service",),
        "service.lambda_events",
        where="home",
        sid="InvokeSelfAsynchronously",
    ),
    Grant(
        "lambda:GetFunctionUrlConfig",
        ("service",),
        "service.public_url",
        where="home",
        sid="ReadOwnFunctionUrl",
    ),
    Grant("ssm:GetParameter", ("service",), "service.secrets", "home", "ReadSecretsFromSsm"),
    Grant(
        "secretsmanager:GetSecretValue",
        ("service",),
        "service.secrets",
        where="home",
        sid="ReadSecretsFromSecretsManager",
    ),
    # Not a call: SSM and Secrets Manager decrypt a customer-key secret with the caller's rights.
    Grant("kms:Decrypt", ("service",), "service.secrets", where="home", sid="DecryptSecrets"),
    Grant("s3:ListBucket", ("service",), "aws.policy_sources", "home", "ReadPolicyBucket"),
    Grant("s3:GetObject", ("service",), "aws.policy_sources", "home", "ReadPolicyObjects"),
    *(
        Grant(action, ("service",), "aws.policy_sources", "home", "ReadPolicyAppConfig")
        for action in ("appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration")
    ),
    # The weekly digest's report in WATCHDOG_REPORT_BUCKET (a Lambda without links): written,
    # and read through the presigned link, which carries the function's own permission.
    *(
        Grant(action, ("service",), "service.digest", "home", "WriteDigestReports")
        for action in ("s3:PutObject", "s3:GetObject")
    ),
    # Email digests (WATCHDOG_EMAIL_FROM set): from that address only, in the template.
    Grant(
        "ses:SendEmail",
        ("service",),
        "notify.email",
        where="home",
        sid="SendEmail",
        note="(email: from WATCHDOG_EMAIL_FROM)",
    ),
)

__all__ = ["MODES", "SHARED", "Grant", "Mode", "Where"]

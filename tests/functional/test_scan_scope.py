"""Accounts, regions and failures: the scope a scan covers and what it does when part fails."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from tests.functional import builders
from watchdog.aws.scope import ScopeError
from watchdog.inventory import ScanRequest, scan


def member_session(account_id: str) -> boto3.Session:
    credentials = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
        RoleSessionName="setup",
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name="us-east-1",
    )


def test_organization_scan_enters_every_member_account_through_its_role(aws: None) -> None:
    organizations = boto3.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    created = organizations.create_account(AccountName="ml", Email="ml@example.com")
    member = created["CreateAccountStatus"]["AccountId"]
    builders.model(builders.sagemaker(session=member_session(member)), "member-model")
    builders.model(builders.sagemaker(), "management-model")

    result = scan(
        ScanRequest(accounts="organization", member_role="WatchdogMember", external_id="xid")
    )

    assert result.errors == []
    owners = {r.name: r.account for r in result.resources}
    assert owners == {"member-model": member, "management-model": "123456789012"}
    assert result.stats.accounts == 2
    assert result.stats.api_calls_by_operation["sts:AssumeRole"] == 1


def deny_region(session: boto3.Session, region: str) -> None:
    """Answer every SageMaker call in one region as AWS does for a missing permission."""

    def handler(request_signer: Any, **_: Any) -> Any:
        if request_signer.region_name != region:
            return None
        error = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}}
        return AWSResponse("https://denied", 400, {}, None), error

    session.events.register("before-call.sagemaker", handler)


def test_a_region_answering_access_denied_is_reported_and_the_rest_completes(aws: None) -> None:
    builders.model(builders.sagemaker("us-east-1"), "east")
    builders.model(builders.sagemaker("us-west-2"), "west")
    session = boto3.Session(region_name="us-east-1")
    deny_region(session, "us-west-2")

    result = scan(ScanRequest(regions=["us-east-1", "us-west-2"]), session=session)

    assert [r.name for r in result.resources] == ["east"]
    denied = {(e.region, e.kind) for e in result.errors}
    assert ("us-west-2", "sagemaker-endpoint") in denied
    assert all(e.region == "us-west-2" for e in result.errors)
    assert all("AccessDeniedException" in e.error for e in result.errors)


def test_all_regions_means_the_enabled_regions_where_sagemaker_exists(aws: None) -> None:
    enabled = {
        r["RegionName"] for r in boto3.client("ec2").describe_regions(AllRegions=False)["Regions"]
    }
    expected = enabled & set(boto3.Session().get_available_regions("sagemaker"))

    result = scan(ScanRequest(regions=["all"], max_workers=16))

    assert result.stats.shards == len(expected) > 10
    assert result.errors == []


def test_a_misspelt_region_fails_before_any_listing(aws: None) -> None:
    with pytest.raises(ScopeError, match="us-eest-1"):
        scan(ScanRequest(regions=["us-eest-1"]))


def test_missing_credentials_fail_with_a_clear_message(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
    ):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(ScopeError, match="no AWS credentials found"):
        scan(ScanRequest(), session=boto3.Session(region_name="us-east-1"))


def test_list_and_batch_calls_carry_endpoints_not_one_call_each(aws: None) -> None:
    sm = builders.sagemaker()
    builders.model(sm, "m")
    builders.endpoint(sm, "ep-0", "cfg", "m")
    for index in range(1, 150):
        builders.endpoint(sm, f"ep-{index}", "cfg", "m", create_config=False)

    result = scan(ScanRequest())

    calls = result.stats.api_calls_by_operation
    assert len([r for r in result.resources if r.kind == "sagemaker-endpoint"]) == 150
    assert calls["sagemaker:Search"] == 2  # 100 per page
    assert calls["sagemaker:DescribeEndpointConfig"] == 1  # one shared config, described once
    assert "sagemaker:DescribeEndpoint" not in calls
    assert "sagemaker:ListTags" not in calls


def test_organization_from_an_account_in_no_organization_is_one_line_exit_2(aws: None) -> None:
    from click.testing import CliRunner

    from watchdog.cli.main import cli

    # AWS raises AWSOrganizationsNotInUseException here; scanning nothing and saying nothing
    # (moto's empty answer) would read as "no idle resources anywhere".
    result = CliRunner().invoke(
        cli,
        ["scan", "--accounts", "organization", "--member-role", "WatchdogReader"],
        env={"WATCHDOG_REGIONS": "us-east-1"},
    )

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "cannot list the organization's accounts" in result.output
    assert "AWSOrganizationsNotInUseException" in result.output

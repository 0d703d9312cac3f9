"""boto3 clients for the seeders: one set of credentials, any region, optionally a moto server.

The seeders talk to the emulator only through boto3, so the same code fills an in-process
`mock_aws` and a `moto_server` reached over HTTP (`endpoint_url`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_organizations import OrganizationsClient
    from mypy_boto3_sagemaker import SageMakerClient
    from mypy_boto3_sts import STSClient


@dataclass
class AwsClients:
    """Typed clients for one account's credentials, cached per (service, region)."""

    session: boto3.Session
    endpoint_url: str | None = None
    config: Config | None = None
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._cache:
            self._cache[key] = self.session.client(
                # boto3-stubs types only literal service names; the accessors below are typed.
                service,  # type: ignore[call-overload]
                region_name=region,
                endpoint_url=self.endpoint_url,
                config=self.config,
            )
        return self._cache[key]

    def sagemaker(self, region: str) -> SageMakerClient:
        client: SageMakerClient = self._client("sagemaker", region)
        return client

    def bedrock(self, region: str) -> BedrockClient:
        client: BedrockClient = self._client("bedrock", region)
        return client

    def cloudwatch(self, region: str) -> CloudWatchClient:
        client: CloudWatchClient = self._client("cloudwatch", region)
        return client

    def ec2(self, region: str) -> EC2Client:
        client: EC2Client = self._client("ec2", region)
        return client

    def sts(self, region: str = "us-east-1") -> STSClient:
        client: STSClient = self._client("sts", region)
        return client

    def organizations(self) -> OrganizationsClient:
        # Organizations is a global service answered from us-east-1.
        client: OrganizationsClient = self._client("organizations", "us-east-1")
        return client

    def iam(self) -> Any:
        # IAM is global; the project ships no IAM type stubs, hence Any.
        return self._client("iam", "us-east-1")

    def application_autoscaling(self, region: str) -> Any:
        return self._client("application-autoscaling", region)

    def opensearch_serverless(self, region: str) -> Any:
        # No type stubs for these two in the sandbox's dependencies, hence Any.
        return self._client("opensearchserverless", region)

    def bedrock_agent(self, region: str) -> Any:
        return self._client("bedrock-agent", region)

    def account_id(self) -> str:
        return self.sts().get_caller_identity()["Account"]

    def assume(self, role_arn: str, external_id: str | None, session_name: str) -> AwsClients:
        """Clients for `role_arn`, assumed the way the scanner does it (with an ExternalId)."""
        sts = self.sts()
        if external_id is None:
            response = sts.assume_role(RoleArn=role_arn, RoleSessionName=session_name)
        else:
            response = sts.assume_role(
                RoleArn=role_arn, RoleSessionName=session_name, ExternalId=external_id
            )
        creds = response["Credentials"]
        assumed = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        return AwsClients(assumed, self.endpoint_url, self.config)


def trust_policy(principal_account_id: str, external_id: str) -> str:
    """A role trust policy for cross-account access guarded by an ExternalId."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{principal_account_id}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
                }
            ],
        }
    )


def service_trust_policy(service: str) -> str:
    """A role trust policy for an AWS service principal (e.g. sagemaker.amazonaws.com)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )

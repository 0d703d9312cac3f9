"""Studio domains for the leftovers tests: one in its own VPC (as quick setup makes it),
deleted retaining its home, and what is found after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from watchdog.act import SessionClients
from watchdog.act.leftovers import (
    DomainLeftovers,
    find_domain_leftovers,
)

REGION = "us-east-1"
ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Domain:
    id: str
    arn: str
    efs_id: str
    vpc_id: str


def create_domain(name: str = "lab", cidr: str = "10.0") -> Domain:
    """A domain in its own VPC with subnets in two zones, as Studio's quick setup makes."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc_id = ec2.create_vpc(CidrBlock=f"{cidr}.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{cidr}.{n}.0/24", AvailabilityZone=zone)[
            "Subnet"
        ]["SubnetId"]
        for n, zone in ((1, "us-east-1a"), (2, "us-east-1b"))
    ]
    sm = boto3.client("sagemaker", region_name=REGION)
    arn = sm.create_domain(
        DomainName=name, AuthMode="IAM", DefaultUserSettings={}, SubnetIds=subnets, VpcId=vpc_id
    )["DomainArn"]
    domain_id = arn.rsplit("/", 1)[-1]
    efs_id = sm.describe_domain(DomainId=domain_id)["HomeEfsFileSystemId"]
    return Domain(domain_id, arn, efs_id, vpc_id)


def delete_retaining(domain: Domain) -> None:
    boto3.client("sagemaker", region_name=REGION).delete_domain(
        DomainId=domain.id, RetentionPolicy={"HomeEfsFileSystem": "Retain"}
    )


def find(clients: SessionClients, domain: Domain, **kwargs: Any) -> DomainLeftovers:
    return find_domain_leftovers(clients, ACCOUNT, REGION, domain.id, domain.arn, **kwargs)


@pytest.fixture
def clients(aws: None) -> SessionClients:
    return SessionClients(boto3.Session(region_name=REGION))


@pytest.fixture
def deleted(aws: None) -> Domain:
    domain = create_domain()
    delete_retaining(domain)
    return domain

"""What a deleted Studio domain leaves behind, found and deleted against the sandbox, which
creates the EFS home volume, its mount targets and the NFS security groups with the domain and
refuses out-of-order deletes as AWS does (FileSystemInUse, DependencyViolation)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from watchdog.act import SessionClients
from watchdog.act.leftovers import (
    DomainLeftovers,
    LeftoversFailed,
    LeftoversRefused,
    delete_domain_leftovers,
    domain_arn,
    find_domain_leftovers,
)
from watchdog.cli.leftovers import leftovers as leftovers_command
from watchdog.store.base import AuditEntry
from watchdog.store.open import open_store

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


def test_given_a_retained_home_then_the_volume_targets_and_groups_are_found(
    clients: SessionClients, deleted: Domain
) -> None:
    found = find(clients, deleted)

    assert found.file_system is not None
    assert found.file_system.file_system_id == deleted.efs_id
    assert len(found.file_system.mount_target_ids) == 2
    assert [g.name for g in found.security_groups] == [
        f"security-group-for-inbound-nfs-{deleted.id}",
        f"security-group-for-outbound-nfs-{deleted.id}",
    ]
    assert {g.vpc_id for g in found.security_groups} == {deleted.vpc_id}
    inbound, outbound = found.security_groups
    assert inbound.ingress_references == [
        {
            "IpProtocol": "tcp",
            "FromPort": 2049,
            "ToPort": 2049,
            "UserIdGroupPairs": [{"GroupId": outbound.group_id}],
        }
    ]
    assert outbound.egress_references[0]["UserIdGroupPairs"] == [{"GroupId": inbound.group_id}]
    # The default allow-all egress rule names no group: it is not theirs to revoke.
    assert inbound.egress_references == [] and outbound.ingress_references == []


def test_finding_costs_one_call_per_service_plus_the_mount_targets(
    clients: SessionClients, deleted: Domain
) -> None:
    clients.own_account  # noqa: B018 - the caller identity is not the finder's cost
    before = clients.counter.by_operation()

    find(clients, deleted)

    after = clients.counter.by_operation()
    spent = {op: n - before.get(op, 0) for op, n in after.items() if n != before.get(op, 0)}
    assert spent == {
        "efs:DescribeFileSystems": 1,
        "efs:DescribeMountTargets": 1,
        "ec2:DescribeSecurityGroups": 1,
    }


def test_given_another_domains_volume_id_then_it_is_not_taken_for_this_ones(
    clients: SessionClients, deleted: Domain
) -> None:
    other = create_domain("other", cidr="10.1")

    found = find(clients, deleted, file_system_id=other.efs_id)

    assert found.file_system is not None
    assert found.file_system.file_system_id == deleted.efs_id


def test_given_its_own_volume_id_then_no_search_is_needed(
    clients: SessionClients, deleted: Domain
) -> None:
    found = find(clients, deleted, file_system_id=deleted.efs_id)

    assert found.file_system is not None
    assert found.file_system.file_system_id == deleted.efs_id
    assert clients.counter.by_operation()["efs:DescribeFileSystems"] == 1


def test_dry_run_lists_the_deletions_in_order_and_changes_nothing(
    clients: SessionClients, deleted: Domain
) -> None:
    found = find(clients, deleted)

    deletions = delete_domain_leftovers(clients, found, execute=False)

    assert [d.op for d in deletions] == [
        "elasticfilesystem:DeleteMountTarget",
        "elasticfilesystem:DeleteMountTarget",
        "elasticfilesystem:DeleteFileSystem",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteSecurityGroup",
    ]
    assert {(d.executed, d.outcome) for d in deletions} == {(False, "planned")}
    assert find(clients, deleted) == found
    changes = [op for op in clients.counter.by_operation() if ":Delete" in op or ":Revoke" in op]
    assert changes == []


def test_execute_deletes_everything_in_an_order_aws_accepts(
    clients: SessionClients, deleted: Domain
) -> None:
    found = find(clients, deleted)

    deletions = delete_domain_leftovers(clients, found, execute=True)

    assert {(d.executed, d.outcome) for d in deletions} == {(True, "done")}
    assert find(clients, deleted).empty
    efs = boto3.client("efs", region_name=REGION)
    with pytest.raises(efs.exceptions.FileSystemNotFound):
        efs.describe_file_systems(FileSystemId=deleted.efs_id)


def test_execute_leaves_another_domains_home_alone(
    clients: SessionClients, deleted: Domain
) -> None:
    other = create_domain("other", cidr="10.1")
    delete_retaining(other)
    before = find(clients, other)

    delete_domain_leftovers(clients, find(clients, deleted), execute=True)

    assert find(clients, other) == before


def test_given_the_domain_still_exists_then_both_modes_refuse_and_nothing_changes(
    clients: SessionClients, aws: None
) -> None:
    domain = create_domain()
    found = find(clients, domain)

    for execute in (False, True):
        with pytest.raises(LeftoversRefused, match=f"domain {domain.id} still exists"):
            delete_domain_leftovers(clients, found, execute=execute)

    assert find(clients, domain) == found


def test_given_a_half_done_run_then_running_again_finishes_it(
    clients: SessionClients, deleted: Domain
) -> None:
    found = find(clients, deleted)
    assert found.file_system is not None
    boto3.client("efs", region_name=REGION).delete_mount_target(
        MountTargetId=found.file_system.mount_target_ids[0]
    )

    deletions = delete_domain_leftovers(clients, found, execute=True)

    assert [d.outcome for d in deletions][:3] == ["already gone", "done", "done"]
    assert find(clients, deleted).empty


def test_given_nothing_left_then_there_is_nothing_to_delete(
    clients: SessionClients, deleted: Domain
) -> None:
    delete_domain_leftovers(clients, find(clients, deleted), execute=True)

    assert delete_domain_leftovers(clients, find(clients, deleted), execute=True) == []


class SlowMountTargets:
    """Clients whose EFS reports the mount targets as still deleting for a few polls."""

    def __init__(self, inner: SessionClients, polls: int) -> None:
        self.inner, self.polls = inner, polls

    def client(self, service: str, account: str, region: str) -> Any:
        real = self.inner.client(service, account, region)
        return _SlowEfs(real, self) if service == "efs" else real


class _SlowEfs:
    def __init__(self, real: Any, owner: SlowMountTargets) -> None:
        self.real, self.owner = real, owner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def describe_mount_targets(self, **params: Any) -> Any:
        if self.owner.polls > 0:
            self.owner.polls -= 1
            return {"MountTargets": [{"MountTargetId": "fsmt-1", "LifeCycleState": "deleting"}]}
        return self.real.describe_mount_targets(**params)


def test_execute_waits_for_the_mount_targets_before_deleting_the_volume(
    clients: SessionClients, deleted: Domain
) -> None:
    slow = SlowMountTargets(clients, polls=3)
    slept: list[float] = []

    deletions = delete_domain_leftovers(
        slow, find(clients, deleted), execute=True, sleep=slept.append
    )

    assert len(slept) == 3
    assert deletions[2].op == "elasticfilesystem:DeleteFileSystem"
    assert find(clients, deleted).empty


def test_given_mount_targets_that_never_go_then_it_stops_before_the_volume(
    clients: SessionClients, deleted: Domain
) -> None:
    slow = SlowMountTargets(clients, polls=10_000)

    with pytest.raises(LeftoversFailed, match="still being deleted") as failed:
        delete_domain_leftovers(
            slow, find(clients, deleted), execute=True, sleep=lambda seconds: None
        )

    assert [d.op for d in failed.value.done] == ["elasticfilesystem:DeleteMountTarget"] * 2
    assert find(clients, deleted).file_system is not None


def test_the_domain_arn_is_built_for_the_regions_partition() -> None:
    assert domain_arn(ACCOUNT, "cn-north-1", "d-x") == (
        f"arn:aws-cn:sagemaker:cn-north-1:{ACCOUNT}:domain/d-x"
    )


# --- the command ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command's audit log, in the test's own folder (never the user's state directory)."""
    url = f"sqlite:///{tmp_path}/watchdog.db"
    monkeypatch.setenv("WATCHDOG_STORE", url)
    return url


def run(*args: str) -> Any:
    return CliRunner().invoke(leftovers_command, list(args))


def test_cli_reports_without_deleting(deleted: Domain) -> None:
    result = run("--domain-id", deleted.id)

    assert result.exit_code == 0, result.output
    assert deleted.efs_id in result.output
    assert "security-group-for-inbound-nfs" in result.output
    assert "Dry run: nothing was changed" in result.output
    assert "WARNING" not in result.output
    efs = boto3.client("efs", region_name=REGION)
    assert efs.describe_file_systems(FileSystemId=deleted.efs_id)["FileSystems"]


def test_cli_json_lists_leftovers_and_planned_deletions(deleted: Domain) -> None:
    result = run("--domain-id", deleted.id, "--region", REGION, "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["executed"] is False
    assert report["leftovers"]["file_system"]["file_system_id"] == deleted.efs_id
    assert len(report["deletions"]) == 7


def test_cli_execute_warns_and_deletes(deleted: Domain) -> None:
    result = run("--domain-id", deleted.id, "--execute")

    assert result.exit_code == 0, result.output
    assert "WARNING" in result.stderr and "home directories" in result.stderr
    assert "Done: 7 call(s)" in result.stdout
    assert "left nothing behind" in run("--domain-id", deleted.id).output


def test_cli_refuses_while_the_domain_exists(aws: None) -> None:
    domain = create_domain()

    result = run("--domain-id", domain.id, "--execute")

    assert result.exit_code == 2
    assert "still exists" in result.output
    assert "WARNING" not in result.output


@pytest.mark.parametrize(
    "args", [["--domain-id", "research"], ["--domain-id", "d-x", "--account", "12"]]
)
def test_cli_rejects_malformed_ids_before_any_call(args: list[str]) -> None:
    result = run(*args)

    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_cli_says_an_id_it_knows_nothing_of_is_unknown(aws: None) -> None:
    result = run("--domain-id", "d-doesnotexist", "--region", REGION)

    assert result.exit_code == 2
    assert "unknown domain d-doesnotexist" in result.output
    assert "left nothing behind" not in result.output


def test_cli_execute_records_each_deletion_in_the_audit_log(
    deleted: Domain, store_url: str
) -> None:
    assert run("--domain-id", deleted.id, "--execute").exit_code == 0

    store = open_store(store_url)
    try:
        entries = store.list_audit()
    finally:
        store.close()
    assert len(entries) == 7
    assert {e.description["domain_arn"] for e in entries} == {deleted.arn}
    assert f"file-system/{deleted.efs_id}" in {e.target_arn.split(":", 5)[5] for e in entries}


def test_cli_after_the_watchdog_deleted_the_domain_and_its_home_says_nothing_is_left(
    aws: None, store_url: str
) -> None:
    arn = domain_arn(ACCOUNT, REGION, "d-gone0home")
    store = open_store(store_url)
    store.append_audit(
        AuditEntry(
            id="a-1-done",
            at=datetime(2025, 6, 1, tzinfo=UTC),
            run_id="r-1",
            finding_id="f-1",
            op="sagemaker:DeleteDomain",
            target_arn=arn,
            account=ACCOUNT,
            region=REGION,
            outcome="done",
        )
    )
    store.close()

    result = run("--domain-id", "d-gone0home", "--region", REGION)

    assert result.exit_code == 0, result.output
    assert "left nothing behind" in result.output
    assert "sagemaker:DeleteDomain on 2025-06-01" in result.output

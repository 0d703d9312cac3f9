"""What a deleted Studio domain leaves behind, found and deleted against the sandbox, which
creates the EFS home volume, its mount targets and the NFS security groups with the domain and
refuses out-of-order deletes as AWS does (FileSystemInUse, DependencyViolation)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.functional.studio_domains import (
    ACCOUNT,
    REGION,
    Domain,
    clients,
    create_domain,
    delete_retaining,
    deleted,
    find,
)
from watchdog.act import SessionClients
from watchdog.act.leftovers import (
    LeftoversFailed,
    LeftoversRefused,
    delete_domain_leftovers,
    domain_arn,
)

__all__ = ["clients", "deleted"]  # fixtures, used by name


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

"""bedrock-provisioned-throughput: what its declaration says of AWS's states."""

from __future__ import annotations

from watchdog.kinds.bedrock_provisioned_throughput import SPEC


def test_no_status_means_a_delete_is_under_way() -> None:
    # ProvisionedModelStatus (botocore's bedrock model) is Creating, InService, Updating or
    # Failed: none says a delete is still being carried out, so a step never waits on one.
    assert SPEC.teardown.in_progress == frozenset()

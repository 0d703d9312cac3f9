"""Each kind's describe() against the sandbox: the full description of what exists, None once
it is deleted and for what never existed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import watchdog_sandbox as sandbox
from moto import mock_aws
from watchdog_sandbox.seed_bedrock import CustomModelSpec, create_custom_model

from tests.conftest import FAKE_AWS_ENV
from tests.functional.demo_snapshot import seed_demo
from watchdog.inventory import ScanRequest, scan
from watchdog.kinds import BY_KIND, REGISTRY
from watchdog.records import Kind, ResourceRecord

REGION = "us-east-1"
ACCOUNT = "123456789012"
MAX_READS = 20

# Deleting these needs their contents gone first; the whole-domain teardown in
# test_teardown_calls.py shows their probes (read through describe) answer None at the end.
# A collection and a knowledge base contain knowledge bases and data sources:
# test_knowledge_base_chain.py deletes a whole chain and reads it gone.
CONTAINERS: set[Kind] = {
    "sagemaker-domain",
    "sagemaker-user-profile",
    "sagemaker-space",
    "opensearch-serverless-collection",
    "bedrock-knowledge-base",
}


@pytest.fixture(scope="module")
def seeded() -> Iterator[list[ResourceRecord]]:
    """The demo account, once for the module (seeded, or restored from this process's seed).
    The module's fixture comes before each test's fake environment: it sets its own, so that a
    seed made here (and kept for the process) is what every other test's would be."""
    with pytest.MonkeyPatch.context() as env:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION"):
            env.delenv(name, raising=False)
        for name, value in FAKE_AWS_ENV.items():
            env.setenv(name, value)
        sandbox.install()
        with mock_aws():
            seed_demo()
            yield scan(ScanRequest(regions=[REGION])).resources


def client_for(kind: Kind) -> Any:
    return boto3.client(BY_KIND[kind].service, region_name=REGION)


def describe(record: ResourceRecord) -> dict[str, Any] | None:
    read = BY_KIND[record.kind].teardown.describe
    assert read is not None
    return read(client_for(record.kind), record)


KINDS = sorted(spec.kind for spec in REGISTRY)


def test_every_kind_is_seeded(seeded: list[ResourceRecord]) -> None:
    assert {r.kind for r in seeded} == set(KINDS)


def names(description: dict[str, Any], record: ResourceRecord) -> bool:
    """Whether one of the description's own fields names the record: its name, or an ARN
    ending in it (a Marketplace endpoint is named by its SageMaker endpoint's ARN, lowercase)."""
    name = record.name.lower()
    return any(
        isinstance(value, str)
        and (value.lower() == name or value.lower().endswith(f"/{name}") or value == record.arn)
        for value in description.values()
    )


def deletable(records: list[ResourceRecord], kind: Kind) -> ResourceRecord:
    """One resource of `kind` AWS would delete now without deleting anything else first."""
    delete = BY_KIND[kind].teardown.delete
    assert delete is not None
    for record in records:
        if record.kind != kind or record.account != ACCOUNT or record.child_arns:
            continue
        if kind == "bedrock-provisioned-throughput" and "commitment_duration" in record.attributes:
            continue  # committed: not deletable before its term ends
        if delete.allows(record.status):
            return record
    pytest.fail(f"the seed has no {kind} that can be deleted on its own")


def unused_custom_model() -> ResourceRecord:
    """The seed's custom model is served by a provisioned throughput the throughput case
    deletes: fine-tune one of this test's own instead."""
    bedrock = client_for("bedrock-custom-model")
    spec = CustomModelSpec("describe-me-ft")
    role = f"arn:aws:iam::{ACCOUNT}:role/BedrockCustomizationRole"
    arn = create_custom_model(bedrock, REGION, spec, role)
    return ResourceRecord(
        kind="bedrock-custom-model", arn=arn, name=spec.name, account=ACCOUNT, region=REGION
    )


def subject(records: list[ResourceRecord], kind: Kind) -> ResourceRecord:
    """The resource a kind's case reads (and deletes). Each case touches only its own, and no
    kind's description depends on another resource existing, so the cases share one seed in
    any order."""
    if kind in CONTAINERS:
        return next(r for r in records if r.kind == kind and r.account == ACCOUNT)
    if kind == "bedrock-custom-model":
        return unused_custom_model()
    return deletable(records, kind)


def delete_it(record: ResourceRecord) -> None:
    """The kind's own delete call (by ARN for a custom model, as AWS accepts and the sandbox
    now does too)."""
    delete = BY_KIND[record.kind].teardown.delete
    assert delete is not None and delete.invoke is not None
    delete.invoke(client_for(record.kind), record)


@pytest.mark.parametrize("kind", KINDS)
def test_describe_answers_the_description_and_none_once_deleted(
    seeded: list[ResourceRecord], kind: Kind
) -> None:
    record = subject(seeded, kind)

    description = describe(record)

    assert description is not None
    assert "ResponseMetadata" not in description
    assert names(description, record), description
    # The probe is the same read's status field.
    probe = BY_KIND[kind].teardown.probe
    assert probe is not None and probe(client_for(kind), record) is not None
    if kind in CONTAINERS:
        return

    delete_it(record)

    # Some deletes are asynchronous (apps, MLflow): AWS shows Deleting for a while.
    for _ in range(MAX_READS):
        if describe(record) is None:
            assert probe(client_for(kind), record) is None
            return
    pytest.fail(f"{kind} {record.name} is still described after its delete")


def ghost(kind: Kind) -> ResourceRecord:
    """A record of `kind` for something that never existed, with the attributes its describe
    call needs."""
    name = "ghost"
    service = BY_KIND[kind].service
    return ResourceRecord(
        kind=kind,
        arn=f"arn:aws:{service}:{REGION}:{ACCOUNT}:{kind}/{name}",
        name=name,
        account=ACCOUNT,
        region=REGION,
        attributes={
            "domain_id": "d-ghost00000000",
            "app_type": "JupyterLab",
            "owner_kind": "space",
            "owner_name": name,
            "collection_id": name,
            "knowledge_base_id": "GHOST00000",
            "data_source_id": "GHOST00000",
        },
    )


@pytest.mark.parametrize("kind", KINDS)
def test_describe_is_none_for_a_ghost(seeded: list[ResourceRecord], kind: Kind) -> None:
    assert describe(ghost(kind)) is None

"""What the restore tests share: the deployment they restore and the audit entries the
executor would have written for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from watchdog.act import SessionClients
from watchdog.act.restore import RestoreResult, restore
from watchdog.kinds import BY_KIND
from watchdog.records import Kind, ResourceRecord
from watchdog.store.base import AuditEntry, AuditOutcome, Store

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecutionRole"
MODEL_DATA = "s3://sagemaker-us-east-1-models/chat-llm/model.tar.gz"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.1.1"
FINDING = "f-chat-endpoint-idle"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
ENDPOINT_TAGS = {"owner": "alice", "team": "genai"}
CONFIG_TAGS = {"team": "genai"}
MODEL_TAGS = {"team": "genai", "model-family": "llama"}


def tags(pairs: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def tags_of(sm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


def record_of(kind: Kind, name: str) -> ResourceRecord:
    resource = {
        "sagemaker-endpoint": "endpoint",
        "sagemaker-endpoint-config": "endpoint-config",
        "sagemaker-model": "model",
        "sagemaker-notebook-instance": "notebook-instance",
    }[kind]
    return ResourceRecord(
        kind=kind,
        arn=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource}/{name}",
        name=name,
        account=ACCOUNT,
        region=REGION,
    )


def audit(
    store: Store,
    sm: Any,
    kind: Kind,
    name: str,
    *,
    action: str = "delete",
    outcome: AuditOutcome = "done",
    finding_id: str = FINDING,
    entry_id: str | None = None,
    described: bool = True,
) -> AuditEntry:
    """The entry the executor writes for a step, with the kind's own describe() answer."""
    spec = BY_KIND[kind]
    operation = spec.teardown.delete if action == "delete" else spec.teardown.stop
    assert operation is not None and spec.teardown.describe is not None
    record = record_of(kind, name)
    description = spec.teardown.describe(sm, record) if described else None
    tags = tags_of(sm, record.arn) if description is not None else {}
    entry = AuditEntry(
        id=entry_id or f"a-{name}-{action}-{outcome}",
        at=NOW,
        run_id="r-1",
        finding_id=finding_id,
        step_id=f"s-{name}-{action}",
        op=operation.op,
        target_arn=record.arn,
        account=ACCOUNT,
        region=REGION,
        outcome=outcome,
        approved_by="alice@example.com",
        description={"kind": kind, "name": name, "describe": description or {}, "tags": tags},
    )
    store.append_audit(entry)
    return entry


def run(store: Store, audit_id: str, execute: bool = True) -> RestoreResult:
    return restore(store, audit_id, SessionClients(), NOW, "restore-run", execute)


class NoClients:
    """Clients for a restore that must be refused without reading AWS."""

    def client(self, service: str, account: str, region: str) -> Any:
        raise AssertionError(f"{service} was called for a restore that is refused outright")


def delete_all(sm: Any) -> None:
    sm.delete_endpoint(EndpointName="chat")
    sm.delete_endpoint_config(EndpointConfigName="chat-config")
    sm.delete_model(ModelName="chat-llm")


def stop_and_record(sm: Any, store: Store, name: str) -> AuditEntry:
    entry = audit(store, sm, "sagemaker-notebook-instance", name, action="stop")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    return entry

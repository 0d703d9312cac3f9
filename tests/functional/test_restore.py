"""Restore against the sandbox: audit entries recorded the way the executor records them (each
kind's own describe()), resources deleted with boto3, then brought back from the records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner

from watchdog.act import SessionClients
from watchdog.act.restore import RestoreRefused, RestoreResult, restore
from watchdog.cli.restore import restore as restore_command
from watchdog.kinds import BY_KIND
from watchdog.records import Kind, ResourceRecord
from watchdog.store.base import AuditEntry, AuditOutcome, Store
from watchdog.store.sqlite import SqliteStore

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


@pytest.fixture
def sm(aws: None) -> Any:
    return boto3.client("sagemaker", region_name=REGION)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


def tags(pairs: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def tags_of(sm: Any, arn: str) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in sm.list_tags(ResourceArn=arn)["Tags"]}


@pytest.fixture
def hosted(sm: Any) -> None:
    """A model, its config and an endpoint, as a team deploys an LLM."""
    sm.create_model(
        ModelName="chat-llm",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": IMAGE,
            "ModelDataUrl": MODEL_DATA,
            "Environment": {"HF_MODEL_ID": "/opt/ml/model", "SM_NUM_GPUS": "1"},
        },
        Tags=tags(MODEL_TAGS),
    )
    sm.create_endpoint_config(
        EndpointConfigName="chat-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "chat-llm",
                "InstanceType": "ml.g5.2xlarge",
                "InitialInstanceCount": 1,
                "InitialVariantWeight": 1.0,
            }
        ],
        Tags=tags(CONFIG_TAGS),
    )
    sm.create_endpoint(
        EndpointName="chat", EndpointConfigName="chat-config", Tags=tags(ENDPOINT_TAGS)
    )


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


def test_a_deleted_endpoint_comes_back_with_its_config_and_model(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config")
    audit(store, sm, "sagemaker-model", "chat-llm")
    before = {
        "config": sm.describe_endpoint_config(EndpointConfigName="chat-config"),
        "model": sm.describe_model(ModelName="chat-llm"),
    }
    delete_all(sm)

    result = run(store, entry.id)

    assert result.executed
    assert [a.op for a in result.plan.actions] == [
        "sagemaker:CreateModel",
        "sagemaker:CreateEndpointConfig",
        "sagemaker:CreateEndpoint",
    ]
    endpoint = sm.describe_endpoint(EndpointName="chat")
    assert endpoint["EndpointConfigName"] == "chat-config"
    config = sm.describe_endpoint_config(EndpointConfigName="chat-config")
    assert config["ProductionVariants"] == before["config"]["ProductionVariants"]
    model = sm.describe_model(ModelName="chat-llm")
    # The role and model data are the recorded ones, referenced as they were.
    assert model["ExecutionRoleArn"] == ROLE
    assert model["PrimaryContainer"] == before["model"]["PrimaryContainer"]
    assert model["PrimaryContainer"]["ModelDataUrl"] == MODEL_DATA
    assert tags_of(sm, endpoint["EndpointArn"]) == ENDPOINT_TAGS
    assert tags_of(sm, config["EndpointConfigArn"]) == CONFIG_TAGS
    assert tags_of(sm, model["ModelArn"]) == MODEL_TAGS
    model_action = result.plan.actions[0]
    assert f"execution role {ROLE}" in model_action.references
    assert f"model data {MODEL_DATA}" in model_action.references


def test_each_restored_resource_is_audited(hosted: None, sm: Any, store: SqliteStore) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config")
    audit(store, sm, "sagemaker-model", "chat-llm")
    delete_all(sm)

    result = run(store, entry.id)

    restored = [store.get_audit(i) for i in result.audit_ids]
    assert [e.op for e in restored if e] == [a.op for a in result.plan.actions]
    for written in restored:
        assert written is not None
        assert written.outcome == "restored"
        assert written.finding_id == FINDING
        assert written.run_id == "restore-run"
        assert f"restored from audit entry {entry.id}" in written.detail
    assert restored[-1] is not None
    assert restored[-1].target_arn == sm.describe_endpoint(EndpointName="chat")["EndpointArn"]


def test_a_dry_run_plans_the_same_and_changes_nothing(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config")
    audit(store, sm, "sagemaker-model", "chat-llm")
    delete_all(sm)
    entries_before = store.list_audit(limit=1000)

    result = run(store, entry.id, execute=False)

    assert not result.executed and result.audit_ids == ()
    assert [a.name for a in result.plan.actions] == ["chat-llm", "chat-config", "chat"]
    assert sm.list_endpoints()["Endpoints"] == []
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []
    assert sm.list_models()["Models"] == []
    assert store.list_audit(limit=1000) == entries_before
    # The real run then makes exactly the calls the dry run showed.
    assert run(store, entry.id).plan == result.plan


def test_an_existing_config_and_model_are_reused(hosted: None, sm: Any, store: SqliteStore) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    sm.delete_endpoint(EndpointName="chat")

    result = run(store, entry.id)

    assert [a.op for a in result.plan.actions] == ["sagemaker:CreateEndpoint"]
    assert {(r.kind, r.name) for r in result.plan.reused} == {
        ("sagemaker-endpoint-config", "chat-config"),
        ("sagemaker-model", "chat-llm"),
    }
    assert sm.describe_endpoint(EndpointName="chat")["EndpointConfigName"] == "chat-config"


def test_a_config_deleted_by_another_finding_is_found_in_its_record(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    """A shared config goes with the last endpoint using it, in that endpoint's finding."""
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config", finding_id="f-other")
    sm.delete_endpoint(EndpointName="chat")
    sm.delete_endpoint_config(EndpointConfigName="chat-config")

    result = run(store, entry.id)

    assert [a.op for a in result.plan.actions] == [
        "sagemaker:CreateEndpointConfig",
        "sagemaker:CreateEndpoint",
    ]
    assert result.plan.actions[0].from_audit_id == "a-chat-config-delete-done"


def test_a_done_entry_without_description_uses_its_started_entry(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config", outcome="started")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config", described=False)
    sm.delete_endpoint(EndpointName="chat")
    sm.delete_endpoint_config(EndpointConfigName="chat-config")

    result = run(store, entry.id)

    assert sm.describe_endpoint_config(EndpointConfigName="chat-config")
    assert result.plan.actions[0].op == "sagemaker:CreateEndpointConfig"


def test_refused_when_the_config_was_deleted_with_no_record(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    sm.delete_endpoint(EndpointName="chat")
    sm.delete_endpoint_config(EndpointConfigName="chat-config")

    with pytest.raises(RestoreRefused, match="endpoint config chat-config was deleted outside"):
        run(store, entry.id)
    assert sm.list_endpoints()["Endpoints"] == []


def test_refused_when_a_model_was_deleted_with_no_record(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    audit(store, sm, "sagemaker-endpoint-config", "chat-config")
    delete_all(sm)

    with pytest.raises(RestoreRefused, match="model chat-llm was deleted outside the watchdog"):
        run(store, entry.id)
    # Nothing was created before the refusal: it is decided before any call.
    assert sm.list_endpoint_configs()["EndpointConfigs"] == []


def test_refused_when_the_endpoint_exists_again(hosted: None, sm: Any, store: SqliteStore) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    sm.delete_endpoint(EndpointName="chat")
    sm.create_endpoint(EndpointName="chat", EndpointConfigName="chat-config")

    with pytest.raises(RestoreRefused, match="endpoint chat exists again"):
        run(store, entry.id)


def test_refused_for_an_unknown_audit_id(aws: None, store: SqliteStore) -> None:
    with pytest.raises(RestoreRefused, match="there is no audit entry a-nope"):
        run(store, "a-nope")


def test_refused_for_a_kind_that_is_not_restorable(
    hosted: None, sm: Any, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint-config", "chat-config")

    with pytest.raises(RestoreRefused) as refused:
        restore(store, entry.id, NoClients(), NOW, "restore-run", execute=False)

    # What restore can undo is listed from the kinds' declarations (each new restorable kind
    # adds itself); the message leads with it, then names the kind and why.
    scope, _, why = str(refused.value).partition("; ")
    assert scope.startswith("restore recreates deleted endpoints and restarts stopped ")
    assert "notebook instances" in scope
    assert why.startswith("sagemaker-endpoint-config is not restorable")


@pytest.mark.parametrize("outcome", ["failed", "cancelled", "started"])
def test_refused_for_an_entry_that_is_not_a_done_change(
    hosted: None, sm: Any, store: SqliteStore, outcome: AuditOutcome
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat", outcome=outcome)

    with pytest.raises(RestoreRefused, match=entry.id):
        run(store, entry.id)


@pytest.fixture
def notebook(sm: Any) -> str:
    sm.create_notebook_instance(
        NotebookInstanceName="bob-notebook", InstanceType="ml.t3.medium", RoleArn=ROLE
    )
    return "bob-notebook"


def stop_and_record(sm: Any, store: Store, name: str) -> AuditEntry:
    entry = audit(store, sm, "sagemaker-notebook-instance", name, action="stop")
    sm.stop_notebook_instance(NotebookInstanceName=name)
    return entry


def test_a_stopped_notebook_is_started_again(notebook: str, sm: Any, store: SqliteStore) -> None:
    entry = stop_and_record(sm, store, notebook)

    result = run(store, entry.id)

    assert [a.op for a in result.plan.actions] == ["sagemaker:StartNotebookInstance"]
    status = sm.describe_notebook_instance(NotebookInstanceName=notebook)
    assert status["NotebookInstanceStatus"] in ("Pending", "InService")
    assert len(result.audit_ids) == 1


def test_refused_for_a_notebook_deleted_since_it_was_stopped(
    notebook: str, sm: Any, store: SqliteStore
) -> None:
    entry = stop_and_record(sm, store, notebook)
    sm.delete_notebook_instance(NotebookInstanceName=notebook)

    with pytest.raises(RestoreRefused, match="its ML storage volume with it"):
        run(store, entry.id)


def test_refused_for_a_notebook_that_is_not_stopped(
    notebook: str, sm: Any, store: SqliteStore
) -> None:
    entry = stop_and_record(sm, store, notebook)
    sm.start_notebook_instance(NotebookInstanceName=notebook)

    with pytest.raises(RestoreRefused, match="not Stopped"):
        run(store, entry.id)


def test_refused_for_a_deleted_notebook(notebook: str, sm: Any, store: SqliteStore) -> None:
    sm.stop_notebook_instance(NotebookInstanceName=notebook)
    entry = audit(store, sm, "sagemaker-notebook-instance", notebook)
    sm.delete_notebook_instance(NotebookInstanceName=notebook)

    with pytest.raises(RestoreRefused) as refused:
        run(store, entry.id)

    assert "ML storage volume" in str(refused.value)
    assert "ai-watchdog audit --format json" in str(refused.value)


def test_the_command_dry_runs_then_executes(
    hosted: None, sm: Any, tmp_path: Path, store: SqliteStore
) -> None:
    entry = audit(store, sm, "sagemaker-endpoint", "chat")
    sm.delete_endpoint(EndpointName="chat")
    url = f"sqlite://{store.path}"
    runner = CliRunner()

    dry = runner.invoke(restore_command, [entry.id, "--store", url])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "sagemaker:CreateEndpoint" in dry.output
    assert sm.list_endpoints()["Endpoints"] == []

    done = runner.invoke(
        restore_command, [entry.id, "--store", url, "--execute", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    assert RestoreResult.model_validate_json(done.output).executed
    assert sm.describe_endpoint(EndpointName="chat")

    again = runner.invoke(restore_command, [entry.id, "--store", url, "--execute"])
    assert again.exit_code == 2
    assert "endpoint chat exists again" in again.output

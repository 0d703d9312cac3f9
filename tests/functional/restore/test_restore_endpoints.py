"""Restore of endpoints against the sandbox: audit entries recorded the way the executor
records them (each kind's own describe()), resources deleted with boto3, then brought back from
the records."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.restore.support import (
    CONFIG_TAGS,
    ENDPOINT_TAGS,
    FINDING,
    MODEL_DATA,
    MODEL_TAGS,
    NOW,
    ROLE,
    NoClients,
    audit,
    delete_all,
    run,
    tags_of,
)
from watchdog.act.restore import RestoreRefused, restore
from watchdog.store.base import AuditOutcome
from watchdog.store.sqlite import SqliteStore


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

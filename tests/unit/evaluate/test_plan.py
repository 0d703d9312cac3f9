"""Teardown plans: dependency order, shared configs and models, blocked steps, retained EFS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.unit.evaluate.factories import (
    NOW,
    arn,
    endpoint,
    endpoint_config,
    idle_signals,
    linked,
    model,
    record,
    signals,
    studio_domain,
)
from watchdog.evaluate import evaluate
from watchdog.findings import Finding, Step
from watchdog.plan import plan
from watchdog.policies.schema import Policy
from watchdog.records import BillingMode, ResourceRecord


def delete_policy(kind: str, **conditions: Any) -> Policy:
    return Policy.model_validate(
        {
            "name": "p",
            "resource": [kind],
            "conditions": conditions or {"older_than": "1d"},
            "action": "delete",
        }
    )


def planned(resources: list[ResourceRecord], policy: Policy, **sig: Any) -> list[Finding]:
    evaluation = evaluate(resources, signals(*sig.pop("series", ()), **sig), [policy], NOW)
    return plan(evaluation.findings, resources, NOW)


def ops(finding: Finding) -> list[tuple[str, str]]:
    return [(s.op.split(":")[1], s.target_name) for s in finding.steps]


def assert_ordered(steps: tuple[Step, ...]) -> None:
    """Every dependency comes earlier in the list (a valid execution order)."""
    seen: set[str] = set()
    for step in steps:
        assert set(step.depends_on) <= seen, step
        seen.add(step.id)


def endpoint_with_component() -> list[ResourceRecord]:
    ep = endpoint("llm", config="llm-config")
    component = record(
        "sagemaker-inference-component",
        "llm-ic",
        "inference-component/llm-ic",
        status="InService",
        parent_arns=(ep.arn,),
        uses_arns=(arn("model/llm-model"),),
    )
    return linked(ep, component, endpoint_config("llm-config", ("llm-model",)), model("llm-model"))


def test_endpoint_teardown_components_then_endpoint_then_config_then_model() -> None:
    resources = endpoint_with_component()
    ep = resources[0]
    [finding] = planned(
        resources, delete_policy("sagemaker-endpoint", idle={}), series=idle_signals(ep)
    )
    assert ops(finding) == [
        ("DeleteInferenceComponent", "llm-ic"),
        ("DeleteEndpoint", "llm"),
        ("DeleteEndpointConfig", "llm-config"),
        ("DeleteModel", "llm-model"),
    ]
    assert_ordered(finding.steps)
    by_name = {s.target_name: s for s in finding.steps}
    # The model waits for both of its users: the config and the component.
    assert set(by_name["llm-model"].depends_on) == {by_name["llm-config"].id, by_name["llm-ic"].id}
    assert all(s.blocked is None for s in finding.steps)
    assert finding.retained == ()


def test_a_shared_config_and_model_are_kept_while_another_endpoint_uses_them() -> None:
    resources = linked(
        endpoint("a", config="shared"),
        endpoint("b", config="shared"),
        endpoint_config("shared", ("m",)),
        model("m"),
    )
    a, _b = resources[:2]
    findings = planned(
        resources, delete_policy("sagemaker-endpoint", idle={}), series=idle_signals(a)
    )
    # b has no metrics at all: only reported, so nothing of it is planned.
    [finding] = [f for f in findings if f.resource.name == "a"]
    assert [f.action for f in findings if f.resource.name == "b"] == ["notify"]
    assert ops(finding) == [("DeleteEndpoint", "a")]
    assert [(r.what, r.reason) for r in finding.retained] == [
        ("sagemaker-endpoint-config shared", "also used by b")
    ]


def test_a_config_shared_by_many_names_a_few_of_its_other_users() -> None:
    """A finding is stored, posted and rendered whole: 200 names would be in every copy."""
    users = [endpoint(f"ep-{i:03}", config="shared") for i in range(200)]
    resources = linked(*users, endpoint_config("shared", ("m",)), model("m"))
    findings = planned(
        resources, delete_policy("sagemaker-endpoint", idle={}), series=idle_signals(resources[0])
    )
    [finding] = [f for f in findings if f.resource.name == "ep-000"]
    assert [(r.what, r.reason) for r in finding.retained] == [
        ("sagemaker-endpoint-config shared", "also used by ep-001, ep-002, ep-003 and 196 more")
    ]


def test_domain_teardown_apps_then_spaces_then_profiles_then_domain_efs_retained() -> None:
    resources = linked(*studio_domain())
    [finding] = planned(resources, delete_policy("sagemaker-domain", idle_shutdown="disabled"))
    steps = ops(finding)
    assert_ordered(finding.steps)
    names = [name for _, name in steps]
    # Every app before its space or profile, every space before the profile owning it,
    # everything before the domain. The Failed app blocks nothing and needs no step.
    assert names.index("alice-lab") < names.index("alice-space") < names.index("alice")
    assert names.index("alice-default") < names.index("alice")
    assert names.index("team-lab") < names.index("team-space")
    assert steps[-1] == ("DeleteDomain", "research")
    assert "old-lab" not in names
    domain_step = finding.steps[-1]
    assert domain_step.params == {"RetentionPolicy.HomeEfsFileSystem": "Retain"}
    assert len(domain_step.depends_on) == 3  # the profile and both spaces
    [efs] = finding.retained
    assert "fs-0123" in efs.what and "Retain" in efs.reason


def notebook(status: str) -> ResourceRecord:
    return record(
        "sagemaker-notebook-instance",
        "nb",
        "notebook-instance/nb",
        status=status,
        instance_type="ml.t3.medium",
        instance_count=1,
        billing=BillingMode(mode="on-demand"),
    )


def test_a_running_notebook_is_stopped_before_it_is_deleted() -> None:
    [finding] = planned([notebook("InService")], delete_policy("sagemaker-notebook-instance"))
    assert ops(finding) == [("StopNotebookInstance", "nb"), ("DeleteNotebookInstance", "nb")]
    stop, delete = finding.steps
    assert delete.depends_on == (stop.id,)
    assert stop.blocked is None and delete.blocked is None


def test_a_stopped_notebook_is_just_deleted() -> None:
    [finding] = planned([notebook("Stopped")], delete_policy("sagemaker-notebook-instance"))
    assert ops(finding) == [("DeleteNotebookInstance", "nb")]


def test_a_pending_notebook_cannot_be_stopped_or_deleted_yet() -> None:
    [finding] = planned([notebook("Pending")], delete_policy("sagemaker-notebook-instance"))
    [step] = finding.steps
    assert step.blocked == (
        "sagemaker-notebook-instance nb is Pending: "
        "a notebook instance can be deleted only when Stopped or Failed"
    )


def test_stop_on_a_notebook_is_one_step() -> None:
    rules = Policy.model_validate(
        {
            "name": "p",
            "resource": ["sagemaker-notebook-instance"],
            "conditions": {"status": ["InService"]},
            "action": "stop",
        }
    )
    [finding] = planned([notebook("InService")], rules)
    assert ops(finding) == [("StopNotebookInstance", "nb")]


def test_stopping_a_studio_app_deletes_it() -> None:
    app = studio_domain()[4]
    rules = Policy.model_validate(
        {
            "name": "p",
            "resource": ["sagemaker-app"],
            "conditions": {"status": ["InService"]},
            "action": "stop",
        }
    )
    [finding] = planned([app], rules)
    assert ops(finding) == [("DeleteApp", "alice-default")]


def test_an_endpoint_still_creating_is_blocked_with_the_reason() -> None:
    ep = endpoint("new", status="Creating")
    [finding] = planned([ep], delete_policy("sagemaker-endpoint"))
    [step] = finding.steps
    assert step.blocked == (
        "sagemaker-endpoint new is Creating: "
        "an endpoint can be deleted once it is InService, OutOfService or Failed"
    )


def provisioned(committed_days: float | None) -> ResourceRecord:
    billing = (
        BillingMode(mode="committed", committed_until=NOW + timedelta(days=committed_days))
        if committed_days is not None
        else BillingMode(mode="on-demand")
    )
    return record(
        "bedrock-provisioned-throughput",
        "pt",
        "provisioned-model/abc",
        status="InService",
        instance_count=1,
        billing=billing,
        uses_arns=(arn("custom-model/cm", "bedrock"),),
    )


def test_committed_throughput_waits_for_its_commitment_and_keeps_the_custom_model() -> None:
    custom = record("bedrock-custom-model", "cm", "custom-model/cm")
    resources = linked(provisioned(40), custom)
    [finding] = planned(resources, delete_policy("bedrock-provisioned-throughput"))
    [step] = finding.steps
    assert step.op == "bedrock:DeleteProvisionedModelThroughput"
    assert step.blocked is not None and step.blocked.startswith("committed until 2027-01-03")
    assert [r.what for r in finding.retained] == ["bedrock-custom-model cm"]


def test_expired_commitment_no_longer_blocks() -> None:
    [finding] = planned([provisioned(-1)], delete_policy("bedrock-provisioned-throughput"))
    assert finding.steps[0].blocked is None


def test_step_ids_are_stable_and_shared_between_findings() -> None:
    resources = linked(*studio_domain())
    first = planned(resources, delete_policy("sagemaker-domain", idle_shutdown="disabled"))
    again = planned(resources, delete_policy("sagemaker-domain", idle_shutdown="disabled"))
    assert [s.id for s in first[0].steps] == [s.id for s in again[0].steps]
    assert len({s.id for s in first[0].steps}) == len(first[0].steps)


def test_notify_findings_have_no_steps() -> None:
    rules = Policy.model_validate(
        {"name": "p", "resource": ["sagemaker-endpoint"], "conditions": {"older_than": "1d"}}
    )
    [finding] = planned([endpoint()], rules)
    assert finding.steps == ()


def test_an_exempt_app_inside_a_domain_leaves_the_whole_domain_in_place() -> None:
    resources = studio_domain()
    resources[5] = resources[5].model_copy(update={"tags": {"watchdog:exempt": "true"}})
    [finding] = planned(
        linked(*resources), delete_policy("sagemaker-domain", idle_shutdown="disabled")
    )
    assert finding.steps == ()
    assert finding.blocked is not None
    assert "sagemaker-app alice-lab: tagged watchdog:exempt=true" in finding.blocked


def test_an_exempt_model_is_kept_when_its_endpoint_goes() -> None:
    resources = linked(
        endpoint("a", config="a-config"),
        endpoint_config("a-config", ("m",)),
        model("m").model_copy(update={"tags": {"watchdog:exempt": "true"}}),
    )
    [finding] = planned(
        resources, delete_policy("sagemaker-endpoint", idle={}), series=idle_signals(resources[0])
    )
    assert ops(finding) == [("DeleteEndpoint", "a"), ("DeleteEndpointConfig", "a-config")]
    assert [(r.what, r.reason) for r in finding.retained] == [
        ("sagemaker-model m", "tagged watchdog:exempt=true")
    ]


def test_a_resource_recreated_under_the_same_arn_gets_new_step_ids() -> None:
    old = endpoint("llm", age_days=30)
    new = endpoint("llm", age_days=8)
    rules = delete_policy("sagemaker-endpoint")
    [first] = planned([old], rules)
    [again] = planned([new], rules)
    assert first.steps[0].target_arn == again.steps[0].target_arn
    assert first.steps[0].id != again.steps[0].id


def test_a_delete_restore_undoes_is_not_called_irreversible() -> None:
    """An endpoint comes back with its config and models (`ai-watchdog restore`); a notebook
    instance's delete takes its ML storage volume: only that one is said to be final."""
    ep = endpoint("llm", config="llm-config")
    resources = linked(ep, endpoint_config("llm-config", ("llm-model",)), model("llm-model"))
    [finding] = planned(resources, delete_policy("sagemaker-endpoint"))
    assert finding.steps and finding.irreversible == ()

    notebook = record(
        "sagemaker-notebook-instance", "lab", "notebook-instance/lab", status="InService"
    )
    [finding] = planned([notebook], delete_policy("sagemaker-notebook-instance"))
    assert [i.what for i in finding.irreversible] == ["sagemaker-notebook-instance lab"]
    assert "cannot be restored" in finding.irreversible[0].why

"""bedrock-marketplace-endpoint: its record from Bedrock's list and its SageMaker endpoint's
record, and a teardown that goes through Bedrock (which deletes the SageMaker endpoint) before
the endpoint's config and model."""

from __future__ import annotations

from datetime import timedelta

from tests.unit.evaluate.factories import (
    ACCOUNT,
    NOW,
    REGION,
    endpoint,
    endpoint_config,
    idle_signals,
    linked,
    model,
)
from tests.unit.evaluate.test_plan import assert_ordered, delete_policy, ops, planned
from watchdog.kinds import bedrock_marketplace_endpoint as marketplace
from watchdog.records import ResourceRecord

ENDPOINT_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/mkt"
SOURCE = f"arn:aws:sagemaker:{REGION}:aws:hub-content/SageMakerPublicHub/Model/mistral/1.0.0"


def summary() -> dict[str, object]:
    return {
        "endpointArn": ENDPOINT_ARN,
        "modelSourceIdentifier": SOURCE,
        "status": "REGISTERED",
        "createdAt": NOW - timedelta(days=3),
        "updatedAt": NOW - timedelta(days=3),
    }


def test_its_arn_is_its_sagemaker_endpoints_in_bedrocks_namespace_and_back() -> None:
    ours = marketplace.record_arn(ENDPOINT_ARN)
    assert ours == f"arn:aws:bedrock:{REGION}:{ACCOUNT}:marketplace-model-endpoint/mkt"
    assert marketplace.sagemaker_arn(ours) == ENDPOINT_ARN


def test_the_record_carries_its_endpoints_state_variants_and_tags_and_uses_it() -> None:
    sm = endpoint("mkt", instance_type="ml.g5.2xlarge", tags={"owner": "bob"})
    record = marketplace.to_record(ACCOUNT, REGION, summary(), sm)
    assert record.kind == "bedrock-marketplace-endpoint"
    assert record.uses_arns == (sm.arn,)
    assert (record.name, record.status, record.tags) == ("mkt", sm.status, {"owner": "bob"})
    assert (record.variants, record.billing) == (sm.variants, sm.billing)
    assert record.attributes["model_source"] == SOURCE
    assert record.attributes["registration_status"] == "REGISTERED"
    # Its traffic is the endpoint's (same series); its cost is the endpoint's, not counted twice.
    queries = marketplace.SPEC.metric_queries(record)
    assert {(q.metric, q.dimensions) for q in queries} == {
        (q.metric, q.dimensions) for q in marketplace.sagemaker_endpoint.metric_queries(sm)
    }
    assert marketplace.SPEC.price_units(record) == ()
    assert marketplace.SPEC.billed_through is not None


def test_without_its_sagemaker_endpoint_the_record_is_bare_but_still_linked() -> None:
    record = marketplace.to_record(ACCOUNT, REGION, summary(), None)
    assert (record.name, record.status, record.variants) == ("mkt", None, ())
    assert record.uses_arns == (ENDPOINT_ARN,)


def marketplace_account(**endpoint_fields: object) -> list[ResourceRecord]:
    sm = endpoint("mkt", config="mkt-config", **endpoint_fields)  # type: ignore[arg-type]
    registration = marketplace.to_record(ACCOUNT, REGION, summary(), sm)
    return linked(
        registration, sm, endpoint_config("mkt-config", ("mkt-model",)), model("mkt-model")
    )


def test_deleting_it_goes_through_bedrock_then_the_config_then_the_model() -> None:
    resources = marketplace_account()
    [finding] = planned(
        resources,
        delete_policy("bedrock-marketplace-endpoint", idle={}),
        series=idle_signals(resources[0]),
    )
    assert ops(finding) == [
        ("DeleteMarketplaceModelEndpoint", "mkt"),
        ("DeleteEndpointConfig", "mkt-config"),
        ("DeleteModel", "mkt-model"),
    ]
    assert_ordered(finding.steps)
    assert finding.steps[0].target_arn == marketplace.record_arn(ENDPOINT_ARN)
    assert finding.retained == ()


def test_an_idle_finding_on_its_sagemaker_endpoint_plans_the_same_teardown() -> None:
    resources = marketplace_account()
    sm = resources[1]
    [finding] = planned(
        resources, delete_policy("sagemaker-endpoint", idle={}), series=idle_signals(sm)
    )
    assert finding.resource.arn == sm.arn
    assert [op for op, _ in ops(finding)] == [
        "DeleteMarketplaceModelEndpoint",
        "DeleteEndpointConfig",
        "DeleteModel",
    ]
    # Nothing deletes the SageMaker endpoint a second time.
    assert all(s.target_arn != sm.arn for s in finding.steps)


def test_an_exempt_sagemaker_endpoint_blocks_the_marketplace_teardown() -> None:
    resources = marketplace_account(tags={"watchdog:exempt": "true"})
    registration = resources[0].model_copy(update={"tags": {}})
    resources = linked(registration, *resources[1:])
    [finding] = planned(
        resources,
        delete_policy("bedrock-marketplace-endpoint", idle={}),
        series=idle_signals(registration),
    )
    assert finding.steps == ()
    assert finding.blocked and "sagemaker-endpoint mkt" in finding.blocked


def test_it_is_not_restorable_and_says_why() -> None:
    restore = marketplace.SPEC.restore
    assert restore.recreate is None and restore.restart is None
    assert "CreateMarketplaceModelEndpoint" in restore.why_not


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    # Its SageMaker endpoint's status (GetMarketplaceModelEndpoint's endpointStatus).
    assert marketplace.SPEC.teardown.in_progress == frozenset({"Deleting"})

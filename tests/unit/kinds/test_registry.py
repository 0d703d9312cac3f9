from pathlib import Path

import watchdog.kinds as kinds_package
from watchdog.kinds import REGISTRY, kind_names

KINDS_DIR = Path(kinds_package.__file__).parent


def test_every_kind_module_is_registered() -> None:
    modules = {p.stem for p in KINDS_DIR.glob("*.py") if not p.stem.startswith("_")} - {"base"}
    registered = {spec.kind.replace("-", "_") for spec in REGISTRY}
    assert modules == registered


def test_every_kind_named_in_the_design_has_exactly_one_module() -> None:
    assert sorted(spec.kind for spec in REGISTRY) == sorted(kind_names())


def test_dependencies_name_known_kinds_and_never_the_kind_itself() -> None:
    known = {spec.kind for spec in REGISTRY}
    for spec in REGISTRY:
        assert set(spec.depends_on) <= known
        assert spec.kind not in spec.depends_on


def test_a_kind_reads_only_records_of_kinds_collected_before_it() -> None:
    # Configs need the endpoints that reference them; components and endpoints need models.
    order = [spec.kind for spec in REGISTRY]
    assert order.index("sagemaker-endpoint") < order.index("sagemaker-endpoint-config")
    assert order.index("sagemaker-model") < order.index("sagemaker-endpoint-config")
    assert order.index("sagemaker-model") < order.index("sagemaker-inference-component")


def test_kinds_aws_deletes_or_stops_asynchronously_say_which_statuses_mean_under_way() -> None:
    # After a call (ours, or a crashed run's), these statuses mean "wait", never "call again".
    by_kind = {spec.kind: spec.teardown.in_progress for spec in REGISTRY}
    deleting = {
        "sagemaker-endpoint",
        "sagemaker-inference-component",
        "sagemaker-app",
        "sagemaker-space",
        "sagemaker-user-profile",
        "sagemaker-domain",
        "sagemaker-mlflow-tracking-server",
        "sagemaker-notebook-instance",
        # Its SageMaker endpoint's status (GetMarketplaceModelEndpoint's endpointStatus).
        "bedrock-marketplace-endpoint",
        "sagemaker-hyperpod-cluster",
    }
    assert {kind for kind, statuses in by_kind.items() if "Deleting" in statuses} == deleting
    stopping = {kind for kind, statuses in by_kind.items() if "Stopping" in statuses}
    assert stopping == {"sagemaker-mlflow-tracking-server", "sagemaker-notebook-instance"}
    # Kinds without a status have nothing to be under way.
    for spec in REGISTRY:
        if spec.teardown.status_field is None:
            assert spec.teardown.in_progress == frozenset()

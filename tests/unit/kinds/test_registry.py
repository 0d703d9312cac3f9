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


def test_kinds_without_a_status_have_nothing_under_way() -> None:
    # Which statuses of a kind mean a stop or delete is under way is AWS's word about that kind:
    # each kind's own test says it (tests/unit/kinds/test_<kind>.py).
    for spec in REGISTRY:
        if spec.teardown.status_field is None:
            assert spec.teardown.in_progress == frozenset()

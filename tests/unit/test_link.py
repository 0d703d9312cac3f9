from watchdog.inventory.link import link
from watchdog.records import ResourceRecord

ACCOUNT, REGION = "123456789012", "us-east-1"


def record(kind: str, name: str, **links: tuple[str, ...]) -> ResourceRecord:
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind.removeprefix('sagemaker-')}/{name}"
    return ResourceRecord(kind=kind, arn=arn, name=name, account=ACCOUNT, region=REGION, **links)  # type: ignore[arg-type]


def test_given_two_endpoints_on_one_config_then_the_config_is_shared_and_lists_both() -> None:
    config = record("sagemaker-endpoint-config", "cfg")
    first = record("sagemaker-endpoint", "a", uses_arns=(config.arn,))
    second = record("sagemaker-endpoint", "b", uses_arns=(config.arn,))

    linked = {r.name: r for r in link([config, first, second])}

    assert linked["cfg"].used_by_arns == (first.arn, second.arn)
    assert linked["cfg"].shared
    assert not linked["a"].shared


def test_given_apps_under_a_profile_then_the_profile_lists_them_as_children() -> None:
    profile = record("sagemaker-user-profile", "d-1/alice")
    app = record("sagemaker-app", "d-1/alice/jupyterlab/default", parent_arns=(profile.arn,))

    linked = {r.kind: r for r in link([profile, app])}

    assert linked["sagemaker-user-profile"].child_arns == (app.arn,)
    assert linked["sagemaker-app"].child_arns == ()


def test_given_a_built_arn_in_other_case_then_links_still_match() -> None:
    endpoint = record("sagemaker-endpoint", "myendpoint")
    component = record("sagemaker-inference-component", "ic", parent_arns=(endpoint.arn.upper(),))

    linked = {r.kind: r for r in link([endpoint, component])}

    assert linked["sagemaker-endpoint"].child_arns == (component.arn,)

from tests.fakes import ACCOUNT, REGION, FakeScanContext
from tests.unit.policies.test_shipped_policies import shipped_for
from watchdog.kinds import sagemaker_app

PREFIX = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def app(status: str = "InService", **owner: str) -> dict[str, object]:
    return {
        "DomainId": "d-1",
        "AppType": "JupyterLab",
        "AppName": "default",
        "Status": status,
        "ResourceSpec": {"InstanceType": "ml.t3.medium"},
        **owner,
    }


def test_a_space_app_belongs_to_its_space_not_to_a_profile() -> None:
    ctx = FakeScanContext(pages={"ListApps": [{"Apps": [app(SpaceName="shared")]}]})

    (record,) = sagemaker_app.collect(ctx)

    assert record.parent_arns == (f"{PREFIX}:space/d-1/shared",)
    assert record.arn == f"{PREFIX}:app/d-1/shared/jupyterlab/default"
    assert record.attributes["owner_kind"] == "space"


def test_a_user_app_belongs_to_its_user_profile() -> None:
    ctx = FakeScanContext(pages={"ListApps": [{"Apps": [app(UserProfileName="alice")]}]})

    (record,) = sagemaker_app.collect(ctx)

    assert record.parent_arns == (f"{PREFIX}:user-profile/d-1/alice",)
    assert (record.instance_type, record.billing.mode) == ("ml.t3.medium", "on-demand")


def test_deleted_apps_still_listed_by_aws_are_left_out() -> None:
    apps = [app("Deleted", UserProfileName="alice"), app("Failed", UserProfileName="bob")]
    ctx = FakeScanContext(pages={"ListApps": [{"Apps": apps}]})

    records = sagemaker_app.collect(ctx)

    assert [(r.attributes["owner_name"], r.status, r.billing.mode) for r in records] == [
        ("bob", "Failed", "none")
    ]


def test_the_statuses_that_mean_a_stop_or_delete_is_under_way() -> None:
    # After a stop or delete call (ours, or a crashed run's), these statuses mean "wait", never
    # "call again".
    assert sagemaker_app.SPEC.teardown.in_progress == frozenset({"Deleting"})


def test_its_default_policies_are_shipped() -> None:
    assert {"idle-canvas-sessions", "studio-apps-running-long"} <= shipped_for(sagemaker_app.KIND)

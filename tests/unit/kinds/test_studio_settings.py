from tests.fakes import ACCOUNT, REGION, FakeScanContext
from watchdog.kinds import sagemaker_space
from watchdog.kinds._fields import idle_shutdown

PREFIX = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def lifecycle(app: str, state: str, minutes: int | None = None) -> dict[str, object]:
    idle: dict[str, object] = {"LifecycleManagement": state}
    if minutes is not None:
        idle["IdleTimeoutInMinutes"] = minutes
    return {app: {"AppLifecycleManagement": {"IdleSettings": idle}}}


def test_idle_shutdown_reads_jupyterlab_first() -> None:
    settings = {
        **lifecycle("JupyterLabAppSettings", "DISABLED"),
        **lifecycle("CodeEditorAppSettings", "ENABLED", 60),
    }
    shutdown = idle_shutdown(settings)
    assert shutdown is not None and shutdown.enabled is False


def test_idle_shutdown_falls_back_to_code_editor_and_keeps_the_timeout() -> None:
    shutdown = idle_shutdown(lifecycle("CodeEditorAppSettings", "ENABLED", 120))
    assert shutdown is not None
    assert (shutdown.enabled, shutdown.idle_timeout_minutes) == (True, 120)


def test_no_idle_settings_means_inherited_not_disabled() -> None:
    assert idle_shutdown({"JupyterLabAppSettings": {}}) is None
    assert idle_shutdown(None) is None


def test_a_private_space_also_belongs_to_its_owner_profile() -> None:
    space = {
        "DomainId": "d-1",
        "SpaceName": "alice-private",
        "Status": "InService",
        "SpaceSharingSettingsSummary": {"SharingType": "Private"},
        "OwnershipSettingsSummary": {"OwnerUserProfileName": "alice"},
    }
    shared = {
        **space,
        "SpaceName": "team",
        "SpaceSharingSettingsSummary": {"SharingType": "Shared"},
    }
    ctx = FakeScanContext(pages={"ListSpaces": [{"Spaces": [space, shared]}]})

    private_record, shared_record = sagemaker_space.collect(ctx)

    assert private_record.parent_arns == (
        f"{PREFIX}:domain/d-1",
        f"{PREFIX}:user-profile/d-1/alice",
    )
    assert shared_record.parent_arns == (f"{PREFIX}:domain/d-1",)

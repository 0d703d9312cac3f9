"""Give emulated resources a history: set creation and last-modified times after creating them.

moto stamps every CreationTime with the real clock and no API can set it, so without this every
seeded resource is brand new, and the safe rule "absent traffic counts as idle only on an endpoint
older than the metrics window" could never find anything idle in a demo. The times live on the
in-process backend objects (moto's and the sandbox additions'), so this works under `mock_aws` and
for a `ThreadedMotoServer` in the same process, not for a moto server in another process: there
the resource is not found here, and BackdateError says so rather than leaving it brand new.

Each setter keeps the representation the backend already uses (moto mixes naive-UTC datetimes,
aware datetimes and strings), so responses serialize exactly as before, only with older times.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from moto.bedrock.models import bedrock_backends
from moto.sagemaker.models import sagemaker_backends

from watchdog_sandbox import bedrock_provisioned_throughput_backend as pt
from watchdog_sandbox import sagemaker_inference_components as inference_components
from watchdog_sandbox import sagemaker_mlflow as mlflow
from watchdog_sandbox import sagemaker_studio_models as studio

# moto writes Bedrock times as local wall-clock strings, which botocore reads back as local time.
_MOTO_LOCAL_FORMAT = "%Y-%m-%d %H:%M:%S"
AppOwner = Literal["user-profile", "space"]


class BackdateError(LookupError):
    """The resource is not in this process's emulator state."""


# --- SageMaker hosting (moto's own objects) ------------------------------------------------


def endpoint(
    account_id: str, region: str, name: str, created: datetime, modified: datetime | None = None
) -> None:
    found = _sagemaker(account_id, region).endpoints.get(name)
    _stamp(_found(found, "endpoint", name, account_id, region), created, modified)


def endpoint_config(account_id: str, region: str, name: str, created: datetime) -> None:
    found = _sagemaker(account_id, region).endpoint_configs.get(name)
    _stamp(_found(found, "endpoint config", name, account_id, region), created)


def model(account_id: str, region: str, name: str, created: datetime) -> None:
    found = _sagemaker(account_id, region)._models.get(name)
    _stamp(_found(found, "model", name, account_id, region), created)


def notebook_instance(
    account_id: str, region: str, name: str, created: datetime, modified: datetime | None = None
) -> None:
    """`modified` is when it last started or stopped: "running longer than" reads it."""
    found = _sagemaker(account_id, region).notebook_instances.get(name)
    _stamp(_found(found, "notebook instance", name, account_id, region), created, modified)


# --- Studio, MLflow and inference components -----------------------------------------------


def domain(
    account_id: str, region: str, name: str, created: datetime, modified: datetime | None = None
) -> str:
    """Backdate the domain named `name` (names are unique per region); return its id."""
    domains = _sagemaker(account_id, region).domains.values()
    found = _found(
        next((d for d in domains if d.domain_name == name), None),
        "domain",
        name,
        account_id,
        region,
    )
    _stamp(found, created, modified)
    return str(found.id)


def user_profile(
    account_id: str,
    region: str,
    domain_id: str,
    name: str,
    created: datetime,
    modified: datetime | None = None,
) -> None:
    found = studio.profiles(account_id, region).get((domain_id, name))
    what = f"{domain_id}/{name}"
    _stamp(_found(found, "user profile", what, account_id, region), created, modified)


def space(
    account_id: str,
    region: str,
    domain_id: str,
    name: str,
    created: datetime,
    modified: datetime | None = None,
) -> None:
    found = studio.spaces(account_id, region).get((domain_id, name))
    what = f"{domain_id}/{name}"
    _stamp(_found(found, "space", what, account_id, region), created, modified)


def app(
    account_id: str,
    region: str,
    domain_id: str,
    owner: tuple[AppOwner, str],
    app_type: str,
    name: str,
    created: datetime,
) -> None:
    """An app of a user profile (`("user-profile", name)`) or a space (`("space", name)`).

    Apps have only a CreationTime: it is when the app started, since stopping one deletes it.
    """
    found = studio.apps(account_id, region).get((domain_id, *owner, app_type, name))
    what = f"{domain_id}/{owner[1]}/{app_type}/{name}"
    _stamp(_found(found, "app", what, account_id, region), created)


def inference_component(
    account_id: str, region: str, name: str, created: datetime, modified: datetime | None = None
) -> None:
    found = inference_components.components(account_id, region).get(name)
    _stamp(_found(found, "inference component", name, account_id, region), created, modified)


def tracking_server(
    account_id: str, region: str, name: str, created: datetime, modified: datetime | None = None
) -> None:
    found = mlflow.servers(account_id, region).get(name)
    _stamp(_found(found, "MLflow tracking server", name, account_id, region), created, modified)


# --- Bedrock -------------------------------------------------------------------------------


def custom_model(account_id: str, region: str, name: str, created: datetime) -> None:
    """The custom model, and the customization job that produced it (finished as it appeared)."""
    backend = bedrock_backends[account_id][region]
    found = _found(backend.custom_models.get(name), "custom model", name, account_id, region)
    _stamp(found, created)
    job = backend.model_customization_jobs.get(found.job_name)
    if job is not None:
        _set(job, "creation_time", created)
        _set(job, "last_modified_time", created)
        _set(job, "end_time", created)


def provisioned_throughput(
    account_id: str,
    region: str,
    name: str,
    created: datetime,
    modified: datetime | None = None,
    *,
    finished_creating: bool = True,
) -> None:
    """Also moves a commitment's end, which AWS counts from the purchase. A throughput bought
    days ago has long finished `Creating`: with `finished_creating` it is InService at once."""
    backend = bedrock_backends[account_id][region]
    try:
        found = pt.find(backend, name)
    except pt.ResourceNotFoundException:
        raise _missing("provisioned throughput", name, account_id, region) from None
    if finished_creating and found.status.peek() == "Creating":
        found.status.set("InService")
    found.creation_time = _utc(created)
    found.last_modified_time = _utc(modified or created)
    if found.commitment_duration:
        months = pt.COMMITMENT_MONTHS[found.commitment_duration]
        found.commitment_expiration_time = pt._add_months(_utc(created), months)


# --- plumbing ------------------------------------------------------------------------------


def _sagemaker(account_id: str, region: str) -> Any:
    return sagemaker_backends[account_id][region]


def _found(found: Any, kind: str, name: str, account_id: str, region: str) -> Any:
    if found is None:
        raise _missing(kind, name, account_id, region)
    return found


def _missing(kind: str, name: str, account_id: str, region: str) -> BackdateError:
    return BackdateError(
        f"no {kind} {name} in account {account_id}, {region} of this process's emulator: "
        "backdating works under mock_aws or with the sandbox server running in this process"
    )


def _stamp(target: Any, created: datetime, modified: datetime | None = None) -> None:
    """Set whichever of moto's or the additions' time attributes the object has."""
    pairs = (
        ("creation_time", created),
        ("created", created),
        ("last_modified_time", modified or created),
        ("modified", modified or created),
    )
    present = [(attr, moment) for attr, moment in pairs if hasattr(target, attr)]
    if not any(attr in ("creation_time", "created") for attr, _ in present):
        raise BackdateError(f"{type(target).__name__} has no creation time to set")
    for attr, moment in present:
        _set(target, attr, moment)


def _set(target: Any, attr: str, moment: datetime) -> None:
    setattr(target, attr, _like(getattr(target, attr), moment))


def _like(existing: object, moment: datetime) -> object:
    """`moment` in the representation `existing` has, so the backend serializes it as before."""
    utc = _utc(moment)
    if isinstance(existing, datetime):
        return utc if existing.tzinfo is not None else utc.replace(tzinfo=None)
    if isinstance(existing, str):
        if "T" not in existing:
            return utc.astimezone().strftime(_MOTO_LOCAL_FORMAT)
        text = utc.replace(tzinfo=None).isoformat(timespec="milliseconds")
        return f"{text}Z" if existing.endswith("Z") else utc.isoformat()
    if isinstance(existing, int | float) and not isinstance(existing, bool):
        return utc.timestamp()
    raise BackdateError(f"cannot tell how to write a time over {existing!r}")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

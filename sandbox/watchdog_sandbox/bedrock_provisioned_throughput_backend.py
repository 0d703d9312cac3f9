"""Bedrock Provisioned Throughput records and rules, kept inside moto's bedrock backend.

The moto glue (HTTP handlers, tagging, `install()`, the seeding helper) is in
`bedrock_provisioned_throughput`; this module is the state and what AWS documents about it, from
botocore's bedrock service-2.json (2023-04-20) and the Bedrock user guide:
- creation and model updates are asynchronous: `Creating` / `Updating` until
  `watchdog_sandbox.transitions` settles them to `InService`; while an update is in flight
  `desiredModelArn` differs from `modelArn` (API_GetProvisionedModelThroughput);
- a throughput with a commitment cannot be deleted before `commitmentExpirationTime`
  (API_DeleteProvisionedModelThroughput; user guide prov-thru-delete.html);
- `desiredModelId` may not be set for a base-model throughput, and for a custom-model one it must
  share the base model (API_UpdateProvisionedModelThroughput).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.bedrock.exceptions import ResourceNotFoundException as MotoResourceNotFound
from moto.bedrock.models import BedrockBackend
from moto.core.exceptions import ServiceException
from moto.moto_api._internal import mock_random

from watchdog_sandbox.transitions import AsyncStatus

STATUSES = ("Creating", "InService", "Updating", "Failed")
COMMITMENT_MONTHS = {"OneMonth": 1, "SixMonths": 6}
_MAX_TAGS = 50  # TooManyTagsException doc: "50 tags per resource"
_STATE_KEY = "_watchdog_provisioned_throughputs"
_FOUNDATION_ARN = re.compile(r"arn:aws[a-z-]*:bedrock:[a-z0-9-]+::foundation-model/.+")
_FOUNDATION_ID = re.compile(r"[a-z0-9-]+\.[a-z0-9.:-]+")


class ValidationException(ServiceException):
    code = "ValidationException"


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"


class TooManyTagsException(ServiceException):
    code = "TooManyTagsException"


@dataclass
class ProvisionedThroughput:
    name: str
    arn: str
    model_arn: str
    foundation_model_arn: str
    model_units: int
    status: AsyncStatus
    creation_time: datetime
    last_modified_time: datetime
    desired_model_arn: str = ""
    commitment_duration: str | None = None
    commitment_expiration_time: datetime | None = None
    failure_message: str | None = None

    def view(self, *, observe: bool) -> dict[str, Any]:
        """The GetProvisionedModelThroughput / ProvisionedModelSummary fields."""
        status = self.status.observe() if observe else self.status.peek()
        if status != "Updating":  # the update has landed: the desired model is now the model
            self.model_arn = self.desired_model_arn
        return {
            "provisionedModelName": self.name,
            "provisionedModelArn": self.arn,
            "modelArn": self.model_arn,
            "desiredModelArn": self.desired_model_arn,
            "foundationModelArn": self.foundation_model_arn,
            "modelUnits": self.model_units,
            "desiredModelUnits": self.model_units,
            "status": status,
            "commitmentDuration": self.commitment_duration,
            "commitmentExpirationTime": self.commitment_expiration_time,
            "creationTime": self.creation_time,
            "lastModifiedTime": self.last_modified_time,
            "failureMessage": self.failure_message,
        }


@dataclass
class _State:
    by_arn: dict[str, ProvisionedThroughput] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # clientRequestToken -> ARN


def _state(backend: BedrockBackend) -> _State:
    # Kept in the backend's __dict__ so moto's reset (which replaces __dict__) clears it too.
    state: _State = backend.__dict__.setdefault(_STATE_KEY, _State())
    return state


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _add_months(start: datetime, months: int) -> datetime:
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return start.replace(
        year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1])
    )


def _resolve_model(backend: BedrockBackend, model_id: str) -> tuple[str, str]:
    """(model ARN, foundation model ARN) for a foundation model ID/ARN or custom model name/ARN."""
    if ":custom-model/" in model_id or model_id in backend.custom_models:
        try:
            custom = backend.get_custom_model(model_id)
        except MotoResourceNotFound as error:
            raise ResourceNotFoundException(f"Model {model_id} not found") from error
        base = custom.base_model_arn
        # moto prefixes the base identifier even when it already was an ARN.
        base = base.split("foundation-model/", 1)[1] if "foundation-model/arn:" in base else base
        return custom.model_arn, base
    if _FOUNDATION_ARN.fullmatch(model_id):
        return model_id, model_id
    if _FOUNDATION_ID.fullmatch(model_id):
        arn = f"arn:{backend.partition}:bedrock:{backend.region_name}::foundation-model/{model_id}"
        return arn, arn
    raise ResourceNotFoundException(f"Model {model_id} not found")


def find(backend: BedrockBackend, identifier: str) -> ProvisionedThroughput:
    """The throughput named `identifier` or with that ARN (ResourceNotFoundException otherwise)."""
    by_arn = _state(backend).by_arn
    found = by_arn.get(identifier) or next(
        (p for p in by_arn.values() if p.name == identifier), None
    )
    if found is None:
        raise ResourceNotFoundException(f"Provisioned model {identifier} not found")
    return found


def create(
    backend: BedrockBackend,
    *,
    name: str,
    model_id: str,
    model_units: int,
    commitment_duration: str | None = None,
    tags: list[dict[str, str]] | None = None,
    creation_time: datetime | None = None,
    commitment_expiration_time: datetime | None = None,
    status: str | None = None,
) -> ProvisionedThroughput:
    """Validate and store a throughput. `status` None means `Creating` settling to `InService`."""
    if model_units < 1:
        raise ValidationException("modelUnits must be greater than or equal to 1")
    if commitment_duration is not None and commitment_duration not in COMMITMENT_MONTHS:
        raise ValidationException(f"Invalid commitmentDuration: {commitment_duration}")
    if status is not None and status not in STATUSES:
        raise ValidationException(f"Invalid status: {status}")
    if any(p.name == name for p in _state(backend).by_arn.values()):
        raise ValidationException(f"Provisioned model name {name} is already in use")
    if len(tags or []) > _MAX_TAGS:
        raise TooManyTagsException(f"Member must have length less than or equal to {_MAX_TAGS}")
    model_arn, foundation_arn = _resolve_model(backend, model_id)
    created = _utc(creation_time) if creation_time else datetime.now(UTC)
    if commitment_duration and commitment_expiration_time is None:
        commitment_expiration_time = _add_months(created, COMMITMENT_MONTHS[commitment_duration])
    pt_id = mock_random.get_random_string(length=12, lower_case=True)
    throughput = ProvisionedThroughput(
        name=name,
        arn=f"arn:{backend.partition}:bedrock:{backend.region_name}:{backend.account_id}"
        f":provisioned-model/{pt_id}",
        model_arn=model_arn,
        desired_model_arn=model_arn,
        foundation_model_arn=foundation_arn,
        model_units=model_units,
        status=AsyncStatus(status or "InService"),
        creation_time=created,
        last_modified_time=created,
        commitment_duration=commitment_duration,
        commitment_expiration_time=(
            _utc(commitment_expiration_time) if commitment_expiration_time else None
        ),
    )
    if status is None:
        throughput.status.begin("Creating", "InService")
    _state(backend).by_arn[throughput.arn] = throughput
    if tags:
        backend.tag_resource(throughput.arn, tags)
    return throughput


def update(
    backend: BedrockBackend,
    identifier: str,
    *,
    new_name: str | None = None,
    new_model_id: str | None = None,
) -> None:
    """UpdateProvisionedModelThroughput: rename at once; a model change goes through `Updating`."""
    throughput = find(backend, identifier)
    if new_name and new_name != throughput.name:
        if any(p.name == new_name for p in _state(backend).by_arn.values()):
            raise ValidationException(f"Provisioned model name {new_name} is already in use")
        throughput.name = new_name
    if new_model_id:
        # API_UpdateProvisionedModelThroughput: not allowed for a base model; for a custom model,
        # only its base model or another custom model customized from the same base model.
        if ":custom-model/" not in throughput.desired_model_arn:
            raise ValidationException("desiredModelId can't be set for a base model throughput")
        new_arn, foundation_arn = _resolve_model(backend, new_model_id)
        if foundation_arn != throughput.foundation_model_arn:
            raise ValidationException(f"{new_model_id} doesn't share this throughput's base model")
        throughput.desired_model_arn = new_arn
        throughput.status.begin("Updating", "InService")
    throughput.last_modified_time = datetime.now(UTC)


def delete(backend: BedrockBackend, identifier: str, now: datetime | None = None) -> None:
    throughput = find(backend, identifier)
    expires = throughput.commitment_expiration_time
    if expires is not None and (now or datetime.now(UTC)) < expires:
        # The API reference says only "You can't delete a Provisioned Throughput before the
        # commitment term is over" and lists ValidationException and ConflictException for this
        # operation without saying which; ValidationException is used (callers should treat both
        # as a refusal).
        raise ValidationException(
            f"Provisioned model {throughput.name} has a commitment that expires at "
            f"{expires.isoformat()} and can't be deleted before then"
        )
    del _state(backend).by_arn[throughput.arn]
    backend.tagger.delete_all_tags_for_resource(throughput.arn)


def _sort_key(throughput: ProvisionedThroughput) -> tuple[str, str]:
    return throughput.creation_time.isoformat(timespec="microseconds"), throughput.arn


def _after_token(token: str) -> tuple[str, str]:
    try:
        created, arn = json.loads(base64.b64decode(token, altchars=b"-_", validate=True))
        return str(created), str(arn)
    except (ValueError, TypeError, binascii.Error) as error:
        raise ValidationException(f"Invalid nextToken: {token}") from error


def list_page(backend: BedrockBackend, params: dict[str, Any]) -> dict[str, Any]:
    """ListProvisionedModelThroughputs: filter, sort, then keyset pagination in the sort order."""
    after, before = params.get("creationTimeAfter"), params.get("creationTimeBefore")
    wanted = {k: params.get(k) for k in ("statusEquals", "modelArnEquals", "nameContains")}
    if params.get("sortBy", "CreationTime") != "CreationTime":
        raise ValidationException(f"Invalid sortBy: {params['sortBy']}")
    # The reference gives no default order; newest first is what the console shows.
    descending = params.get("sortOrder", "Descending") == "Descending"
    rows = sorted(_state(backend).by_arn.values(), key=_sort_key, reverse=descending)
    if params.get("nextToken"):
        mark = _after_token(params["nextToken"])
        rows = [p for p in rows if (_sort_key(p) < mark) == descending]
    limit = int(params.get("maxResults") or 1000)
    summaries: list[dict[str, Any]] = []
    returned: list[ProvisionedThroughput] = []
    for throughput in rows:
        view = throughput.view(observe=False)  # filtering is not a client observing the status
        if (
            (after and throughput.creation_time <= _utc(after))
            or (before and throughput.creation_time >= _utc(before))
            or (wanted["statusEquals"] and view["status"] != wanted["statusEquals"])
            or (wanted["modelArnEquals"] and view["modelArn"] != wanted["modelArnEquals"])
            or (wanted["nameContains"] and wanted["nameContains"] not in throughput.name)
        ):
            continue
        if len(summaries) == limit:
            token = json.dumps(_sort_key(returned[-1]))
            next_token = base64.urlsafe_b64encode(token.encode()).decode()
            return {"provisionedModelSummaries": summaries, "nextToken": next_token}
        returned.append(throughput)
        view = throughput.view(observe=True)
        summaries.append({k: v for k, v in view.items() if k != "failureMessage"})
    return {"provisionedModelSummaries": summaries}


def throughputs(backend: BedrockBackend) -> list[ProvisionedThroughput]:
    """Every throughput in one account/region backend."""
    return list(_state(backend).by_arn.values())


def remember_token(backend: BedrockBackend, token: str, arn: str) -> None:
    _state(backend).tokens[token] = arn


def arn_for_token(backend: BedrockBackend, token: str) -> str | None:
    """The throughput an earlier create with this clientRequestToken made, if it still exists."""
    state = _state(backend)
    arn = state.tokens.get(token)
    return arn if arn in state.by_arn else None

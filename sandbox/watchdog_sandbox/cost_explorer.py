"""Cost Explorer's GetCostForecast and GetCostAndUsageWithResources, which moto lacks.

moto 5.2.5 has GetCostAndUsage, answering from a queue of injected results (Python:
`moto_api_backend.set_ce_cost_usage`; HTTP: `POST /moto-api/static/ce/cost-and-usage-results`):
the first request with given parameters takes the next queued result, the same parameters get
the same result again, and with nothing queued the answer is empty. The two operations added here
work the same way, with their own queues and moto-api routes:
  POST /moto-api/static/ce/cost-forecast-results                 {"results": [...], "account_id"}
  POST /moto-api/static/ce/cost-and-usage-with-resources-results {"results": [...], "account_id"}
or, in-process, `queue_cost_forecast()` / `queue_cost_and_usage_with_resources()`.

What they check, as the API reference documents it:
- GetCostForecast: Granularity DAILY or MONTHLY only; Metric one of the five cost metrics; Start
  before End ("Requested Start: ... must be before requested End: ..."), Start not in the past,
  End at most about 3 months (DAILY) or 12 months (MONTHLY) ahead. With nothing queued it fails
  with DataUnavailableException: an emulated account has no cost history to forecast from, which
  is what AWS answers for an account without enough history.
- GetCostAndUsageWithResources: Filter is required; Start before End; Start at most 14 days ago;
  HOURLY only for EC2-Instances. With nothing queued the answer is empty, like GetCostAndUsage.
The "current date" is the real UTC date (moto's clock), whatever date a test pretends it is.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import moto.moto_api._internal.urls as moto_api_urls
from moto.ce.responses import CostExplorerResponse
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_api._internal.responses import MotoAPIResponse
from moto.utilities.utils import PARTITION_NAMES

FORECAST_METRICS = frozenset(
    {"AMORTIZED_COST", "BLENDED_COST", "NET_AMORTIZED_COST", "NET_UNBLENDED_COST", "UNBLENDED_COST"}
)
# "You can get 3 months of DAILY forecasts or 12 months of MONTHLY forecasts."
FORECAST_HORIZON = {"DAILY": timedelta(days=92), "MONTHLY": timedelta(days=366)}
RESOURCE_DAYS = 14
EC2_INSTANCES = "Amazon Elastic Compute Cloud - Compute"
FORECAST_PATH = "{0}/moto-api/static/ce/cost-forecast-results"
RESOURCES_PATH = "{0}/moto-api/static/ce/cost-and-usage-with-resources-results"
NO_HISTORY = "Insufficient amount of historical data to generate forecast."
EMPTY_RESULT: dict[str, Any] = {"ResultsByTime": [], "DimensionValueAttributes": []}


class ValidationException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class DataUnavailableException(JsonRESTError):
    def __init__(self, message: str) -> None:
        super().__init__("DataUnavailableException", message)


class _Answers:
    """moto's GetCostAndUsage semantics: a queue, and answers remembered per request body."""

    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []
        self.given: dict[str, dict[str, Any]] = {}

    def answer(self, body: str) -> dict[str, Any] | None:
        if body not in self.given and self.queue:
            self.given[body] = self.queue.pop(0)
        return self.given.get(body)


class CostExplorerAdditions(BaseBackend):
    """Per-account state of the additions; reset with moto's own state."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.forecasts = _Answers()
        self.with_resources = _Answers()


ce_additions = BackendDict(
    CostExplorerAdditions, "ce", use_boto3_regions=False, additional_regions=PARTITION_NAMES
)


def _additions(account_id: str, partition: str = "aws") -> CostExplorerAdditions:
    backend: CostExplorerAdditions = ce_additions[account_id][partition]
    return backend


# --- injecting answers ----------------------------------------------------------------------


def queue_cost_and_usage(result: dict[str, Any], account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Queue a GetCostAndUsage answer (moto's own queue), for symmetry with the two below."""
    moto_api_backend.set_ce_cost_usage(result=result, account_id=account_id)


def queue_cost_forecast(result: dict[str, Any], account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Queue a GetCostForecast answer: {"Total": {"Amount", "Unit"}, "ForecastResultsByTime"}."""
    _additions(account_id).forecasts.queue.append(result)


def queue_cost_and_usage_with_resources(
    result: dict[str, Any], account_id: str = DEFAULT_ACCOUNT_ID
) -> None:
    """Queue a GetCostAndUsageWithResources answer (the GetCostAndUsage response shape)."""
    _additions(account_id).with_resources.queue.append(result)


def _queue_route(queue: Any) -> Any:
    def handler(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
        del full_url
        body = MotoAPIResponse()._get_body(headers, request)
        for result in body.get("results", []):
            queue(result, body.get("account_id", DEFAULT_ACCOUNT_ID))
        return 201, {}, ""

    handler.__name__ = f"set_{queue.__name__}"  # moto names the server's view after it
    return handler


# --- the operations -------------------------------------------------------------------------


def get_cost_forecast(self: CostExplorerResponse) -> str:
    params = json.loads(self.body)
    granularity = params.get("Granularity")
    if granularity not in FORECAST_HORIZON:
        raise ValidationException(
            f"Granularity {granularity} is not supported: use DAILY or MONTHLY"
        )
    if params.get("Metric") not in FORECAST_METRICS:
        raise ValidationException(f"Metric {params.get('Metric')} is not valid for a cost forecast")
    start, end = _period(params, "Requested Start: {start} must be before requested End: {end}")
    today = _today()
    if start < today:
        raise ValidationException(f"Start date {start} must be equal to or later than {today}")
    if end - today > FORECAST_HORIZON[granularity]:
        raise ValidationException(f"End date {end} is too far ahead for a {granularity} forecast")
    answer = _additions(self.current_account, self.partition).forecasts.answer(self.body)
    if answer is None:
        raise DataUnavailableException(
            "Insufficient amount of historical data to generate forecast."
        )
    return json.dumps(answer)


def get_cost_and_usage_with_resources(self: CostExplorerResponse) -> str:
    params = json.loads(self.body)
    if not params.get("Filter"):
        raise ValidationException("Filter is required for GetCostAndUsageWithResources")
    if params.get("Granularity") == "HOURLY" and EC2_INSTANCES not in json.dumps(params["Filter"]):
        raise ValidationException(
            "Hourly granularity is only available for EC2-Instances resource-level data"
        )
    start, _ = _period(params, "Start date (and hour) should be before end date (and hour)")
    earliest = _today() - timedelta(days=RESOURCE_DAYS)
    if start < earliest:
        raise ValidationException(
            f"Start date {start} is earlier than {earliest}: resource-level data covers the"
            f" last {RESOURCE_DAYS} days"
        )
    answer = _additions(self.current_account, self.partition).with_resources.answer(self.body)
    return json.dumps(answer if answer is not None else EMPTY_RESULT)


def _period(params: dict[str, Any], order_message: str) -> tuple[date, date]:
    period = params.get("TimePeriod") or {}
    try:
        start = date.fromisoformat(period["Start"])
        end = date.fromisoformat(period["End"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationException(f"Invalid TimePeriod {period}: use YYYY-MM-DD dates") from error
    if start >= end:
        raise ValidationException(order_message.format(start=start, end=end))
    return start, end


def _today() -> date:
    return datetime.now(UTC).date()


def install() -> None:
    """Add the operations to moto's Cost Explorer and the injection routes to its moto-api
    (idempotent; moto looks both up per request, in-process and in a server started after)."""
    setattr(CostExplorerResponse, "get_cost_forecast", get_cost_forecast)  # noqa: B010
    setattr(  # noqa: B010
        CostExplorerResponse, "get_cost_and_usage_with_resources", get_cost_and_usage_with_resources
    )
    moto_api_urls.url_paths.setdefault(FORECAST_PATH, _queue_route(queue_cost_forecast))
    moto_api_urls.url_paths.setdefault(
        RESOURCES_PATH, _queue_route(queue_cost_and_usage_with_resources)
    )

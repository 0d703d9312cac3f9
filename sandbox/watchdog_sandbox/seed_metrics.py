"""Deterministic CloudWatch series for the seeded resources, written in batches.

Shapes follow what SageMaker and Bedrock emit (see aws-facts.md, "Idle signals"): endpoint
`Invocations` in `AWS/SageMaker` with dimensions EndpointName then VariantName, instance load in
`/aws/sagemaker/Endpoints` with the same dimensions in the same order (moto only matches a query
whose dimensions are in the order they were put), inference components by InferenceComponentName,
Bedrock by ModelId. Values come from the hour of day, never from a random source, so two seeds of
the same `now` produce identical data.

Series cover `hours` before `now` (eight days by default: a seven-day window stays fully covered
for a day after seeding), and never reach back before the resource existed (`since`), as on AWS.
A fleet publishes each datapoint at about its time, not a week of them at once: after putting,
`flush` dates each series' publication back to its newest datapoint (cloudwatch_recent), so
ListMetrics' RecentlyActive sees the seeded history as published live.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from watchdog_sandbox import cloudwatch_recent
from watchdog_sandbox.cloudwatch_index import SeriesKey

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import DimensionTypeDef, MetricDatumTypeDef

SAGEMAKER_NAMESPACE = "AWS/SageMaker"
ENDPOINT_INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
INFERENCE_COMPONENT_NAMESPACE = "/aws/sagemaker/InferenceComponents"
BEDROCK_NAMESPACE = "AWS/Bedrock"

# AWS accepts up to 1,000 datums per PutMetricData call (1 MB); 500 stays well inside both.
_BATCH = 500
DEFAULT_METRIC_HOURS = 8 * 24

# "busy": traffic every hour; "idle": no Invocations datapoints at all (what AWS shows for an
# endpoint nobody calls); "idle-zeros": explicit zero datapoints (what some exporters write).
# Scanners must read both idle shapes as zero traffic.
Traffic = Literal["busy", "idle", "idle-zeros"]


def hourly(now: datetime, hours: int, since: datetime | None = None) -> list[datetime]:
    """`hours` timestamps on the hour, oldest first, the newest one hour before `now`; none
    before `since` (a resource emits nothing before it exists)."""
    top = now.replace(minute=0, second=0, microsecond=0)
    stamps = [top - timedelta(hours=h) for h in range(hours, 0, -1)]
    return stamps if since is None else [t for t in stamps if t >= since]


def _diurnal(ts: datetime) -> float:
    """0..1 load curve peaking mid-afternoon UTC: office-hours traffic."""
    return 0.5 + 0.5 * math.sin((ts.hour - 9) / 24 * 2 * math.pi)


def _dims(pairs: Sequence[tuple[str, str]]) -> list[DimensionTypeDef]:
    return [{"Name": name, "Value": value} for name, value in pairs]


@dataclass
class MetricWriter:
    """Collects datums per namespace and writes them with as few calls as AWS allows."""

    cloudwatch: CloudWatchClient
    now: datetime
    hours: int = DEFAULT_METRIC_HOURS
    _pending: dict[str, list[MetricDatumTypeDef]] = field(default_factory=lambda: defaultdict(list))
    datums_written: int = 0

    def _add(
        self,
        namespace: str,
        metric: str,
        dims: Sequence[tuple[str, str]],
        values: Iterator[tuple[datetime, float]],
        unit: Literal["Count", "Percent", "Bytes", "Seconds", "None"],
    ) -> None:
        dimensions = _dims(dims)
        for ts, value in values:
            datum: MetricDatumTypeDef = {
                "MetricName": metric,
                "Dimensions": dimensions,
                "Timestamp": ts,
                "Value": value,
                "Unit": unit,
            }
            self._pending[namespace].append(datum)

    def endpoint_variant(
        self,
        endpoint: str,
        variant: str,
        traffic: Traffic,
        *,
        gpu: bool,
        with_instances: bool = True,
        since: datetime | None = None,
        asynchronous: bool = False,
    ) -> None:
        """Invocations for one production variant, plus instance load if instances run.

        An asynchronous endpoint publishes no Invocations: InvocationsProcessed per variant and
        ApproximateBacklogSize per endpoint instead (SageMaker developer guide, "Monitor
        asynchronous endpoints"; any metric not listed there is not published for them)."""
        dims = [("EndpointName", endpoint), ("VariantName", variant)]
        stamps = hourly(self.now, self.hours, since)
        if traffic != "idle":
            busy = traffic == "busy"
            calls = [(t, float(round(40 + 260 * _diurnal(t))) if busy else 0.0) for t in stamps]
            metric = "InvocationsProcessed" if asynchronous else "Invocations"
            self._add(SAGEMAKER_NAMESPACE, metric, dims, iter(calls), "Count")
            if asynchronous:
                queued = ((t, float(round(n / 20))) for t, n in calls)
                endpoint_only = [("EndpointName", endpoint)]
                self._add(
                    SAGEMAKER_NAMESPACE, "ApproximateBacklogSize", endpoint_only, queued, "Count"
                )
        if not with_instances:
            return
        # An idle instance still runs its model server: a few percent CPU, resident memory.
        load = 0.6 if traffic == "busy" else 0.0
        cpu = ((t, round(3.0 + t.hour % 4 * 0.5 + 150 * load * _diurnal(t), 2)) for t in stamps)
        mem = ((t, round(31.0 + 25 * load * _diurnal(t), 2)) for t in stamps)
        self._add(ENDPOINT_INSTANCE_NAMESPACE, "CPUUtilization", dims, cpu, "Percent")
        self._add(ENDPOINT_INSTANCE_NAMESPACE, "MemoryUtilization", dims, mem, "Percent")
        if gpu:
            util = ((t, round(90 * load * _diurnal(t), 2)) for t in stamps)
            self._add(ENDPOINT_INSTANCE_NAMESPACE, "GPUUtilization", dims, util, "Percent")

    def inference_component(
        self, name: str, traffic: Traffic, since: datetime | None = None
    ) -> None:
        """Invocations, and the normalised load its copies emit while they run (CPU always,
        GPU on accelerated instances, as the seeded components are)."""
        dims = [("InferenceComponentName", name)]
        stamps = hourly(self.now, self.hours, since)
        if traffic != "idle":
            busy = traffic == "busy"
            calls = ((t, float(round(20 + 180 * _diurnal(t))) if busy else 0.0) for t in stamps)
            self._add(SAGEMAKER_NAMESPACE, "Invocations", dims, calls, "Count")
        load = 0.6 if traffic == "busy" else 0.0
        cpu = ((t, round(1.5 + 40 * load * _diurnal(t), 2)) for t in stamps)
        util = ((t, round(2.0 + 80 * load * _diurnal(t), 2)) for t in stamps)
        self._add(INFERENCE_COMPONENT_NAMESPACE, "CPUUtilizationNormalized", dims, cpu, "Percent")
        self._add(INFERENCE_COMPONENT_NAMESPACE, "GPUUtilizationNormalized", dims, util, "Percent")

    def bedrock_model(self, model_id: str, since: datetime | None = None) -> None:
        """Traffic on a Bedrock model; for provisioned throughput `model_id` is its ARN."""
        dims = [("ModelId", model_id)]
        stamps = hourly(self.now, self.hours, since)
        calls = [(t, float(round(15 + 120 * _diurnal(t)))) for t in stamps]
        self._add(BEDROCK_NAMESPACE, "Invocations", dims, iter(calls), "Count")
        tokens_in = ((t, n * 850.0) for t, n in calls)
        tokens_out = ((t, n * 210.0) for t, n in calls)
        self._add(BEDROCK_NAMESPACE, "InputTokenCount", dims, tokens_in, "Count")
        self._add(BEDROCK_NAMESPACE, "OutputTokenCount", dims, tokens_out, "Count")

    def series(
        self,
        namespace: str,
        metric: str,
        dims: Sequence[tuple[str, str]],
        values: Iterator[tuple[datetime, float]],
        unit: Literal["Count", "Percent", "Bytes", "Seconds", "None"],
    ) -> None:
        """Any hourly series, for a kind's own sandbox module (seed_kinds.KindSeed)."""
        self._add(namespace, metric, dims, values, unit)

    def flush(self) -> None:
        """Put what was collected, then date the series' publication back to their newest
        datapoints. That reaches the emulator in this process (mock_aws, or the sandbox server
        running here, as the seeds run it); a server elsewhere keeps its own times."""
        started = cloudwatch_recent.clock()
        put: set[SeriesKey] = set()
        for namespace, datums in self._pending.items():
            for start in range(0, len(datums), _BATCH):
                batch = datums[start : start + _BATCH]
                self.cloudwatch.put_metric_data(Namespace=namespace, MetricData=batch)
                self.datums_written += len(batch)
            put.update(_series_key(namespace, datum) for datum in datums)
        self._pending.clear()
        if put:
            # The client knows its region, not its account (the server resolves that from its
            # credentials): the series just put, published since `started`, single out ours.
            cloudwatch_recent.backdate_published(
                region=self.cloudwatch.meta.region_name, series=put, published_since=started
            )


def _series_key(namespace: str, datum: MetricDatumTypeDef) -> SeriesKey:
    dims = frozenset((d["Name"], d["Value"]) for d in datum.get("Dimensions", []))
    return namespace, datum["MetricName"], dims

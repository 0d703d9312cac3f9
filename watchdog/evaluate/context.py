"""What evaluate knows besides one resource: every record by ARN, the signals and the time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from watchdog.evaluate.cost import MonthlyCost, monthly_cost
from watchdog.records import ResourceRecord
from watchdog.signals.judged import judged_series
from watchdog.signals.models import MetricSeries, Signals


@dataclass
class EvalContext:
    resources: Sequence[ResourceRecord]
    signals: Signals
    now: datetime
    by_arn: dict[str, ResourceRecord] = field(init=False)
    _costs: dict[str, MonthlyCost] = field(init=False, default_factory=dict)
    _by_tag: dict[str, dict[str, float]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.by_arn = {r.arn.lower(): r for r in self.resources}

    def get(self, arn: str) -> ResourceRecord | None:
        return self.by_arn.get(arn.lower())

    def cost(self, record: ResourceRecord) -> MonthlyCost:
        key = record.arn.lower()
        if key not in self._costs:
            self._costs[key] = monthly_cost(record, self.signals)
        return self._costs[key]

    def monthly_by_tag(self, tag: str) -> dict[str, float]:
        """Estimated monthly cost per value of `tag`, from prices: one pass per tag key, not
        one per resource that asks."""
        if tag not in self._by_tag:
            totals: dict[str, float] = {}
            for record in self.resources:
                value = record.tags.get(tag)
                if value:
                    totals[value] = totals.get(value, 0.0) + (self.cost(record).usd or 0.0)
            self._by_tag[tag] = totals
        return self._by_tag[tag]

    def series(self, record: ResourceRecord) -> tuple[MetricSeries, ...]:
        """Its own series, plus its inference components' traffic for an endpoint: traffic
        served through a component is traffic on the endpoint."""
        return judged_series(record, self.by_arn, self.signals.metrics)

"""What a resource costs a month, and on what basis: Cost Explorer, the price list or the
shipped fallback table."""

from __future__ import annotations

from dataclasses import dataclass

from watchdog.findings import CostBasis
from watchdog.kinds import BY_KIND, PRICE_COMPONENTS
from watchdog.records import ResourceRecord
from watchdog.signals.models import HOURS_PER_MONTH, Signals, price_key_words


@dataclass(frozen=True)
class MonthlyCost:
    usd: float | None
    basis: CostBasis
    source: str


def monthly_cost(record: ResourceRecord, signals: Signals) -> MonthlyCost:
    """Cost Explorer's per-resource figure when the user enabled it, else price x units."""
    if signals.costs is not None and record.arn.lower() in signals.costs.by_resource:
        return MonthlyCost(
            round(signals.costs.by_resource[record.arn.lower()], 2),
            "cost-explorer",
            "Cost Explorer, resource-level daily cost (last 14 days)",
        )
    units = BY_KIND[record.kind].price_units(record)
    if not units:
        if record.billing.mode == "none":
            return MonthlyCost(0.0, "price-list", "bills nothing by itself")
        return MonthlyCost(None, "unknown", _unpriced_reason(record))
    total = 0.0
    bases: set[CostBasis] = set()
    sources: list[str] = []
    for unit in units:
        price = signals.prices.get(unit.key)
        if price is None:
            words = price_key_words(unit.key, PRICE_COMPONENTS.get(unit.key.component))
            return MonthlyCost(None, "unknown", f"no price known for {words}")
        total += price.usd_per_hour * unit.count * HOURS_PER_MONTH
        bases.add(price.basis)
        if price.source not in sources:
            sources.append(price.source)
    basis: CostBasis = "fallback" if "fallback" in bases else "price-list"
    return MonthlyCost(round(total, 2), basis, "; ".join(sources))


def _unpriced_reason(record: ResourceRecord) -> str:
    if record.billing.mode == "storage":
        return "only storage bills; its size is not known"
    billed_through = BY_KIND[record.kind].billed_through
    if billed_through is not None:
        return billed_through.reason
    # A kind may say, per resource, why it has no price (a Studio app type billed per session).
    return record.attributes.get("price_note") or "no price is known for this kind"

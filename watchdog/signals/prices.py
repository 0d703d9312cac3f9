"""Hourly prices for what resources bill: the AWS Price List API, with a labelled fallback.

Which price components exist, which service code and GetProducts filters find each, and whether
its prices are per second, is declared by the kind that bills it (`KindSpec.price_components`,
collected in `watchdog.kinds.PRICE_COMPONENTS`); nothing here names a component. The API answers
only in us-east-1 and ap-south-1, so ap-south-1 is tried when us-east-1 cannot be reached. One
call per distinct key that has no fresh cache entry; answers are cached per key, "unknown"
answers too (briefly), so a product the price list lacks is not asked about every run.

The shipped fallback prices (each component's `fallback`, declared with its source by the kind
that bills it) are used only when the API cannot be reached (no endpoint answers, access denied,
throttled out), and their prices say so (basis "fallback"). A key the API answers for with no
product is unknown, not a fallback case: the table is a snapshot of a few well-known prices,
never a substitute for what AWS says. No price, no guess: the key goes into `errors`.
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from watchdog.aws.clients import ClientFactory
from watchdog.aws.errors import describe_error
from watchdog.cache import Cache, CacheEntry
from watchdog.kinds import PRICE_COMPONENTS
from watchdog.signals.models import (
    Price,
    PriceComponentSpec,
    PriceFilters,
    PriceKey,
    PriceSignals,
    component_words,
    price_key_id,
    price_key_words,
)

log = structlog.get_logger(__name__)

# The Price List API's endpoints, in the order tried (API reference: "Price List Query API").
PRICING_REGIONS = ("us-east-1", "ap-south-1")
_SECONDS_UNITS = frozenset({"seconds", "second", "secs"})
# "The price list has no such product" is remembered for this long (capped by the price TTL).
NEGATIVE_TTL = timedelta(hours=1)
_CACHE_PREFIX = "price:v1:"
_HOURLY_UNITS = frozenset({"hrs", "hours", "hour"})
# GetProducts calls in flight at once. One after the other, a first run's eight calls to
# us-east-1 (from wherever the watchdog runs) end after the plan's metrics have; the Price
# List's reference gives no request rate, so a few at a time.
PRICE_LIST_CONCURRENCY = 4


class PricingUnavailable(Exception):
    """The Price List API could not be asked (as opposed to: it answered "no such product")."""


@dataclass(frozen=True)
class Offer:
    """One on-demand hourly price found in a GetProducts answer."""

    usd_per_hour: float
    operation: str | None
    publication: str | None


def fetch_prices(
    keys: Iterable[PriceKey],
    clients: ClientFactory,
    cache: Cache,
    now: datetime,
    ttl: timedelta,
    components: Mapping[str, PriceComponentSpec] | None = None,
) -> PriceSignals:
    """Resolve each distinct key to a price, or to an error saying why there is none.
    `components`: the declared price components by name (default: the kinds' registry)."""
    if components is None:
        components = PRICE_COMPONENTS
    api = _PriceListApi(clients)
    prices: dict[str, Price] = {}
    errors: list[str] = []
    # The cache is read and written here, in order; only the API calls overlap.
    found = [
        _from_cache(_Lookup(k, components.get(k.component)), cache, now, ttl)
        for k in _distinct(keys)
    ]
    answers = iter(_asked([item for item in found if isinstance(item, _ToAsk)], api))
    for item in found:
        outcome = (
            _after_asking(item, next(answers), api, cache, now)
            if isinstance(item, _ToAsk)
            else item
        )
        if isinstance(outcome, Price):
            prices[price_key_id(outcome.key)] = outcome
        else:
            errors.append(outcome)
    return PriceSignals(prices=prices, errors=tuple(errors), pricing_calls=api.calls)


def _distinct(keys: Iterable[PriceKey]) -> list[PriceKey]:
    return list({price_key_id(key): key for key in keys}.values())


@dataclass(frozen=True)
class _Lookup:
    """A key and the declaration of its component (None: no kind declares it)."""

    key: PriceKey
    spec: PriceComponentSpec | None

    @property
    def words(self) -> str:
        return price_key_words(self.key, self.spec)

    def filters(self) -> PriceFilters | None:
        return None if self.spec is None else self.spec.filters(self.key)


@dataclass(frozen=True)
class _ToAsk:
    """A key the cache cannot answer, with what the Price List needs to be asked about it."""

    lookup: _Lookup
    spec: PriceComponentSpec
    filters: PriceFilters
    cached: _Cached | None  # an expired answer: better than the fallback table if need be


def _from_cache(
    lookup: _Lookup, cache: Cache, now: datetime, ttl: timedelta
) -> Price | str | _ToAsk:
    key = lookup.key
    filters = lookup.filters()
    if filters is None or lookup.spec is None:
        what = key.component if lookup.spec is None else component_words(lookup.spec)
        return (
            f"no price known for {lookup.words}: the watchdog does not know how the AWS "
            f"Price List names {what}"
        )
    cached = _Cached.parse(cache.get(_CACHE_PREFIX + price_key_id(key)))
    if cached is not None and cached.is_fresh(now, ttl):
        return cached.outcome(key)
    return _ToAsk(lookup, lookup.spec, filters, cached)


def _asked(to_ask: list[_ToAsk], api: _PriceListApi) -> list[Price | str | None]:
    """The Price List's answer for each key, in order; None where the API could not be asked."""

    def ask(item: _ToAsk) -> Price | str | None:
        if api.unavailable is not None:  # another key found it unreachable: botocore retried
            return None
        try:
            return _ask_price_list(item.lookup, item.spec, item.filters, api)
        except PricingUnavailable:
            return None

    if len(to_ask) <= 2:
        return [ask(item) for item in to_ask]
    # The first alone: it finds the endpoint that answers, or that none does, once for all.
    first, rest = ask(to_ask[0]), to_ask[1:]
    # Each call in a copy of this thread's context: the run's log context goes along.
    contexts = [contextvars.copy_context() for _ in rest]
    workers = min(PRICE_LIST_CONCURRENCY, len(rest))
    with ThreadPoolExecutor(workers, thread_name_prefix="prices") as pool:
        return [first, *pool.map(lambda context, item: context.run(ask, item), contexts, rest)]


def _after_asking(
    item: _ToAsk, answer: Price | str | None, api: _PriceListApi, cache: Cache, now: datetime
) -> Price | str:
    if answer is not None:
        _store(cache, item.lookup.key, answer, now)
        return answer
    # The API cannot be reached: an expired price from it still beats the snapshot table.
    if item.cached is not None and item.cached.usd_per_hour is not None:
        return item.cached.stale_price(item.lookup.key)
    return _fallback(item.lookup, f"Pricing API unavailable ({api.unavailable})")


def _ask_price_list(
    lookup: _Lookup, spec: PriceComponentSpec, filters: PriceFilters, api: _PriceListApi
) -> Price | str:
    key = lookup.key
    accepts = spec.accepts
    products = api.get_products(spec.service_code, filters)
    offers = parse_hourly_offers(
        products,
        per_second=spec.per_second,
        accepts=None if accepts is None else (lambda attributes: accepts(key, attributes)),
        hourly_units=spec.hourly_units,
    )
    chosen = choose_offer(offers)
    if chosen is None:
        return f"no price known for {lookup.words}: the AWS Price List has no such product"
    if isinstance(chosen, str):
        return f"no price known for {lookup.words}: {chosen}"
    source = "AWS Price List API"
    if chosen.publication:
        source += f" (publication {chosen.publication[:10]})"
    return Price(key=key, usd_per_hour=chosen.usd_per_hour, basis="price-list", source=source)


def parse_hourly_offers(
    price_list: Iterable[str],
    *,
    per_second: bool = False,
    accepts: Callable[[Mapping[str, str]], bool] | None = None,
    hourly_units: frozenset[str] = frozenset(),
) -> list[Offer]:
    """The on-demand hourly USD prices in a GetProducts `PriceList` (JSON strings); with
    `per_second`, per-second prices (serverless) read as hourly ones (x 3,600) instead; with
    `accepts`, only of the products whose attributes it accepts; `hourly_units`, the
    component's own spellings of an hour ("ocu-hours")."""
    units, factor = (_SECONDS_UNITS, 3600.0) if per_second else (_HOURLY_UNITS | hourly_units, 1.0)
    offers = []
    for item in price_list:
        try:
            product = json.loads(item)
            attributes = product["product"]["attributes"]
            if accepts is not None and not accepts(attributes):
                continue
            terms = product.get("terms", {}).get("OnDemand", {})
            for term in terms.values():
                for dimension in term["priceDimensions"].values():
                    if str(dimension.get("unit", "")).lower() not in units:
                        continue
                    usd = dimension.get("pricePerUnit", {}).get("USD")
                    if usd is None:
                        continue
                    offers.append(
                        Offer(
                            round(float(usd) * factor, 10),
                            attributes.get("operation"),
                            product.get("publicationDate"),
                        )
                    )
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            log.warning("price_list_item_unreadable", error=str(error))
    return offers


def choose_offer(offers: list[Offer]) -> Offer | str | None:
    """The one price the offers agree on; None if there are none; a reason if they disagree.

    Zero prices (free-tier rows) give way to real ones, and RunInstance rows (instance-hours)
    to others. Disagreeing prices are not averaged or maxed: a wrong price is worse than none.
    """
    priced = [o for o in offers if o.usd_per_hour > 0] or offers
    running = [o for o in priced if o.operation == "RunInstance"] or priced
    distinct = sorted({o.usd_per_hour for o in running})
    if not distinct:
        return None
    if len(distinct) > 1:
        return f"the AWS Price List has {len(distinct)} different prices ({distinct})"
    return running[0]


# --- the API ------------------------------------------------------------------------------


class _PriceListApi:
    """GetProducts with endpoint fallback; remembers, for the run, that the API is unreachable
    (botocore has already retried by then: asking again per key would only slow the run)."""

    def __init__(self, clients: ClientFactory) -> None:
        self._clients = clients
        self._regions = list(PRICING_REGIONS)
        self._lock = threading.Lock()  # keys are asked from several threads
        self.calls = 0
        self.unavailable: str | None = None

    def get_products(self, service_code: str, filters: PriceFilters) -> list[str]:
        while True:
            with self._lock:
                region = self._regions[0]
                self.calls += 1
            try:
                response = self._clients.client("pricing", region).get_products(
                    ServiceCode=service_code,
                    Filters=filters,
                    FormatVersion="aws_v1",
                    MaxResults=100,
                )
            except (BotoConnectionError, HTTPClientError) as error:
                if self._another_endpoint_after(region, error):
                    continue
                raise self._give_up(f"no Price List endpoint reachable: {error}") from error
            except ClientError as error:
                raise self._give_up(describe_error(error)) from error
            except BotoCoreError as error:
                raise self._give_up(str(error)) from error
            price_list: list[str] = response.get("PriceList", [])
            return price_list

    def _another_endpoint_after(self, region: str, error: Exception) -> bool:
        """Whether an endpoint is left to try after `region` did not answer (another key's
        call may have moved on from it already)."""
        with self._lock:
            if self._regions[0] == region and len(self._regions) > 1:
                log.warning("pricing_endpoint_unreachable", region=region, error=str(error))
                self._regions.pop(0)
            return self._regions[0] != region

    def _give_up(self, reason: str) -> PricingUnavailable:
        with self._lock:
            self.unavailable = reason
        log.warning("pricing_api_unavailable", reason=reason, using="shipped fallback table")
        return PricingUnavailable(reason)


# --- the cache ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cached:
    """A cached Price List answer: a price with its source, or "no such product"."""

    usd_per_hour: float | None
    text: str  # the source of a price, or the reason there is none
    stored_at: datetime

    @classmethod
    def parse(cls, entry: CacheEntry | None) -> _Cached | None:
        if entry is None or not isinstance(entry.value, dict):
            return None
        usd, text = entry.value.get("usd_per_hour"), entry.value.get("text")
        if not isinstance(text, str) or not (usd is None or isinstance(usd, int | float)):
            return None
        return cls(None if usd is None else float(usd), text, entry.stored_at)

    def is_fresh(self, now: datetime, ttl: timedelta) -> bool:
        lifetime = ttl if self.usd_per_hour is not None else min(ttl, NEGATIVE_TTL)
        return now - self.stored_at < lifetime

    def outcome(self, key: PriceKey) -> Price | str:
        if self.usd_per_hour is None:
            return self.text
        return Price(key=key, usd_per_hour=self.usd_per_hour, basis="price-list", source=self.text)

    def stale_price(self, key: PriceKey) -> Price:
        source = f"{self.text}, cached {self.stored_at:%Y-%m-%d} (Pricing API unreachable)"
        assert self.usd_per_hour is not None
        return Price(key=key, usd_per_hour=self.usd_per_hour, basis="price-list", source=source)


def _store(cache: Cache, key: PriceKey, outcome: Price | str, now: datetime) -> None:
    value: dict[str, Any] = (
        {"usd_per_hour": outcome.usd_per_hour, "text": outcome.source}
        if isinstance(outcome, Price)
        else {"usd_per_hour": None, "text": outcome}
    )
    try:
        cache.put(_CACHE_PREFIX + price_key_id(key), value, now)
    except OSError as error:
        # Not fatal: the price is still good for this run; the next run asks again.
        log.warning("price_cache_write_failed", key=price_key_id(key), error=str(error))


# --- the fallback table -----------------------------------------------------------------------


@dataclass(frozen=True)
class _FallbackTable:
    # price_key_id -> (USD per hour, where the figure comes from, when it was recorded)
    prices: dict[str, tuple[float, str, str]]


def fallback_table() -> _FallbackTable:
    """Every registered component's shipped fallback prices (read per call: a kind registered
    later, as a test's throwaway one is, brings its own)."""
    return _FallbackTable(
        {
            price_key_id(
                PriceKey(component=component.name, region=row.region, unit=row.unit, term=row.term)
            ): (row.usd_per_hour, row.source, row.as_of)
            for component in PRICE_COMPONENTS.values()
            for row in component.fallback
        }
    )


def _fallback(lookup: _Lookup, why: str) -> Price | str:
    key = lookup.key
    table = fallback_table()
    found = table.prices.get(price_key_id(key))
    if found is None:
        return f"no price known for {lookup.words}: {why}; not in the shipped fallback table"
    usd, note, as_of = found
    source = f"shipped fallback table (snapshot {as_of}; {note})"
    return Price(key=key, usd_per_hour=usd, basis="fallback", source=source)

"""boto3 sessions and clients for one run: retry settings in one place, every call counted.

Clients are created here and nowhere else, so every one of them has adaptive retries (throttling
on SageMaker List/Describe calls is common) and reports its calls to the run's counter. The
counter reads botocore's own events, so the numbers are what was sent, not estimates.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.loaders
from botocore.config import Config
from botocore.utils import parse_timestamp

from watchdog.aws.parsers import FastListsParserFactory

CLIENT_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 10},
    connect_timeout=10,
    read_timeout=60,
    user_agent_extra="ai-cost-watchdog",
)
# Pricing and Cost Explorer have fallbacks (the shipped table, price estimates): an unreachable
# endpoint should reach them in seconds, not after ten adaptive retries of a connect timeout.
DEGRADABLE_CONFIG = Config(
    retries={"mode": "adaptive", "max_attempts": 3},
    connect_timeout=3,
    read_timeout=30,
    user_agent_extra="ai-cost-watchdog",
)
DEGRADABLE_SERVICES = frozenset({"pricing", "ce"})
# CloudWatch is asked only what the watchdog builds itself (GetMetricData of up to 500 queries,
# signals/metrics.py; ListMetrics): botocore's check of a 500-query request walks every member
# before sending it (34 ms of CPU alone, more while the plan's other calls run), and AWS checks
# it again anyway (a ValidationError fails the batch like any error). Without it, a first plan
# of 1,000 endpoints at 50 ms (probe, three pairs alternated): the signals stage 0.96-1.17 s
# against 1.24-1.68 s. The requests sent are the same bytes.
UNCHECKED_CONFIG = CLIENT_CONFIG.merge(Config(parameter_validation=False))
UNCHECKED_SERVICES = frozenset({"cloudwatch"})


# Calls of one service in flight at once within one (account, region), by default: under the
# rates AWS throttles a region's API at, with adaptive retries for the rest (a setting:
# WATCHDOG_REGION_CONCURRENCY).
REGION_CONCURRENCY = 8


class RunInterrupted(BaseException):
    """The run was told to stop (SIGTERM) while it was only reading AWS.

    A BaseException, like KeyboardInterrupt, on purpose: the scan and the signal stages catch
    `Exception` to keep going past one failing kind or region, and a stop must not be logged
    as a failing kind, nor let a half-read inventory reach evaluate and resolve findings."""


class ApiCallCounter:
    """Counts API calls, one per operation invoked (botocore's `before-parameter-build`
    event, emitted once per call before any stub or retry).

    Every call of a run passes through here, so this is also where a run that was told to stop
    stops calling AWS: with `stop_when` set and true, the next call raises RunInterrupted
    instead of being sent (and is not counted)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_operation: Counter[str] = Counter()
        self._stop_when: Callable[[], bool] | None = None

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-parameter-build", self._on_call)

    def stop_when(self, interrupted: Callable[[], bool] | None) -> None:
        """Refuse further calls once `interrupted()` is true; None lets every call through
        again (the executor parks its in-flight steps itself, it must not be cut mid-call)."""
        self._stop_when = interrupted

    def _on_call(self, model: Any, **_: Any) -> None:
        stop_when = self._stop_when
        if stop_when is not None and stop_when():
            raise RunInterrupted(f"{model.service_model.service_name}:{model.name} not sent")
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self._by_operation[key] += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self._by_operation.values())

    def by_operation(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._by_operation.items()))


def fast_timestamp(value: Any) -> datetime:
    """A response timestamp as an aware datetime in UTC, the same instant botocore's default
    parser gives.

    Why: botocore's default builds every epoch timestamp through dateutil's tzlocal, about 23 us
    each. A GetMetricData answer for 500 series over 7 hourly days carries 84,000 of them, so a
    1,000-endpoint plan spent about 9 s of CPU parsing timestamps, on real AWS as much as on the
    sandbox (measured with py-spy on bench/plan.py). `fromtimestamp` in UTC takes under 1 us.
    Anything but a plain number (ISO or RFC 822 text from the query and REST protocols) goes to
    botocore's parser unchanged.
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    parsed: datetime = parse_timestamp(value)
    return parsed


def _config_for(service: str) -> Config:
    if service in DEGRADABLE_SERVICES:
        return DEGRADABLE_CONFIG
    return UNCHECKED_CONFIG if service in UNCHECKED_SERVICES else CLIENT_CONFIG


class ClientFactory:
    """Thread-safe clients for one boto3 session, cached per (region, service).

    boto3 sessions are not thread-safe but the clients they make are: creation is serialised,
    use is not.
    """

    def __init__(self, session: boto3.Session, counter: ApiCallCounter) -> None:
        self.session = session
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str], Any] = {}
        counter.attach(session)
        # Before any client: the models this process has loaded are not parsed again.
        session._session.register_component("data_loader", shared_loader())
        # The parser factory is per botocore session; boto3 reaches it only through `_session`
        # (the pattern botocore's maintainers give for a custom timestamp parser). Ours also
        # reads plain lists in one pass (watchdog/aws/parsers.py).
        parsers = FastListsParserFactory()
        parsers.set_parser_defaults(timestamp_parser=fast_timestamp)
        session._session.register_component("response_parser_factory", parsers)

    def client(self, service: str, region: str) -> Any:
        key = (region, service)
        made = self._clients.get(key)
        if made is not None:  # only making one needs the lock: a scan's describes do not wait
            return made  # behind another service's client being made (EC2's takes 0.15 s)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service,  # type: ignore[call-overload]
                    region_name=region,
                    config=_config_for(service),
                )
            return self._clients[key]

    def available_regions(self, service: str) -> set[str]:
        with self._lock:
            return set(self.session.get_available_regions(service))

    def partition(self, region: str) -> str:
        with self._lock:
            partition: str = self.session.get_partition_for_region(region)
            return partition


class _OnceEach(list[str]):
    """Search paths that take each path once: every boto3.Session appends boto3's own data
    directory to its loader's, so a loader shared by sessions would grow by one per session."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


@functools.cache
def shared_loader() -> botocore.loaders.Loader:
    """One botocore loader for every session this process makes clients from.

    A session of its own parses each service model's JSON again (megabytes for EC2 and
    SageMaker; a SageMaker client in a new session takes 150-350 ms, 20 ms in one that has
    loaded it): for every account of an organization scan (most of its CPU, py-spy on
    bench/scan.py --org), every daemon cycle and every warm Lambda invocation. A loader only
    reads botocore's data files and caches what it read, which later sessions read as they
    would their own (botocore already shares one loader between all the clients of a session,
    in any thread). AWS_DATA_PATH is honoured as botocore.loaders.create_loader does."""
    paths = _OnceEach()
    data_path = os.environ.get("AWS_DATA_PATH")
    for path in data_path.split(os.pathsep) if data_path else ():
        paths.append(os.path.expanduser(os.path.expandvars(path)))
    loader = botocore.loaders.Loader(extra_search_paths=paths)
    # Which services have paginators, listed now, once: the loader caches it without a lock,
    # and a scan's kinds all call get_paginator at once (py-spy: a dozen threads each listing
    # botocore's data directories).
    loader.list_available_services("paginators-1")
    return loader

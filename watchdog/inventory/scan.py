"""The inventory stage: every watched resource in every (account, region) of the scope.

Shards (one account x one region) run concurrently with a bound. Within a shard the kinds run in
registry order. A failure is confined to the smallest unit it hit (an account that cannot be
entered, a region that cannot be listed, one kind in one region) and recorded; the rest goes on.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from datetime import UTC, datetime
from typing import Any

import boto3
import structlog
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field

from watchdog.aws.clients import ApiCallCounter, ClientFactory
from watchdog.aws.errors import describe_error
from watchdog.aws.scope import (
    AccountTarget,
    Scope,
    ScopeError,
    Shard,
    assume,
    caller_account,
    check_regions,
    enabled_regions,
    organization_targets,
    parse_accounts,
)
from watchdog.aws.setup import explain
from watchdog.cache import Cache
from watchdog.inventory.context import DEFAULT_CONCURRENCY, ShardContext
from watchdog.inventory.kept import KeptDescriptions
from watchdog.inventory.link import link
from watchdog.kinds import REGISTRY, KindSpec
from watchdog.records import ResourceRecord, ScanError
from watchdog.settings import Settings

log = structlog.get_logger(__name__)
Progress = Callable[[int, int], None]


class ScanRequest(BaseModel):
    """What to scan. `regions` None means the session's region; ["all"] the enabled ones."""

    regions: list[str] | None = None
    accounts: str | None = None
    member_role: str | None = None
    external_id: str | None = None
    max_workers: int = Field(default=8, ge=1, le=64)
    region_concurrency: int = Field(default=DEFAULT_CONCURRENCY, ge=1, le=32)

    @classmethod
    def from_settings(cls, settings: Settings) -> ScanRequest:
        return cls(
            regions=settings.region_list(),
            accounts=settings.accounts,
            member_role=settings.member_role,
            external_id=settings.external_id,
            max_workers=settings.max_workers,
            region_concurrency=settings.region_concurrency,
        )


class ScanStats(BaseModel):
    api_calls: int
    api_calls_by_operation: dict[str, int]
    duration_s: float
    accounts: int
    shards: int


class ScanResult(BaseModel):
    resources: list[ResourceRecord]
    errors: list[ScanError]
    stats: ScanStats
    run_id: str


def open_scope(request: ScanRequest, session: boto3.Session | None = None) -> Scope:
    """Resolve accounts and regions. Raises ScopeError only when nothing can be scanned."""
    counter = ApiCallCounter()
    base = session or boto3.Session()
    home = base.region_name or "us-east-1"
    own_account, base_clients, parsed = _preflight(request, base, counter)
    errors: list[ScanError] = []
    targets = (
        organization_targets(base_clients, home, own_account, request.member_role or "")
        if isinstance(parsed, str)
        else parsed
    )
    shards = _shards(request, targets, own_account, base_clients, home, counter, errors)
    return Scope(uuid.uuid4().hex[:12], own_account, shards, errors, counter, base_clients, home)


def check_scope(request: ScanRequest, session: boto3.Session | None = None) -> str:
    """The caller's account id, once the credentials work, the regions exist and the accounts
    parse; ScopeError otherwise. A daemon checks this at start, so a configuration that cannot
    work refuses to start (as `scan` does) instead of failing every cycle."""
    try:
        base = session or boto3.Session()
    except BotoCoreError as error:  # AWS_PROFILE naming no profile, a broken config file
        raise ScopeError(explain(error) or f"cannot use the AWS configuration: {error}") from error
    account, _, _ = _preflight(request, base, ApiCallCounter())
    return account


def _preflight(
    request: ScanRequest, base: boto3.Session, counter: ApiCallCounter
) -> tuple[str, ClientFactory, list[AccountTarget] | str]:
    own_account, base_clients = caller_account(base, counter)
    if request.regions and request.regions != ["all"]:
        check_regions(request.regions, base_clients.available_regions("sagemaker"))
    return own_account, base_clients, parse_accounts(request.accounts, request.member_role)


def scan(
    request: ScanRequest,
    session: boto3.Session | None = None,
    kinds: Sequence[KindSpec] = REGISTRY,
    progress: Progress | None = None,
    scope: Scope | None = None,
    cache: Cache | None = None,
) -> ScanResult:
    """Inventory the requested scope. Raises ScopeError only when nothing can be scanned.
    `cache`: where descriptions AWS never changes are kept between scans (inventory.kept);
    None describes everything."""
    scope = scope or open_scope(request, session)
    records: list[ResourceRecord] = []
    errors = list(scope.errors)
    with ThreadPoolExecutor(max_workers=request.max_workers) as pool:
        futures = [
            pool.submit(_scan_shard, s, kinds, scope.run_id, request.region_concurrency, cache)
            for s in scope.shards
        ]
        for done, future in enumerate(as_completed(futures), start=1):
            shard_records, shard_errors = future.result()
            records.extend(shard_records)
            errors.extend(shard_errors)
            if progress:
                progress(done, len(scope.shards))

    stats = ScanStats(
        api_calls=scope.counter.total,
        api_calls_by_operation=scope.counter.by_operation(),
        duration_s=round(time.monotonic() - scope.started, 3),
        accounts=len({s.account_id for s in scope.shards}),
        shards=len(scope.shards),
    )
    ordered = sorted(link(records), key=lambda r: (r.account, r.region, r.kind, r.name))
    errors.sort(key=lambda e: (e.account, e.region, e.kind))
    return ScanResult(resources=ordered, errors=errors, stats=stats, run_id=scope.run_id)


def _shards(
    request: ScanRequest,
    targets: list[AccountTarget],
    own_account: str,
    base_clients: ClientFactory,
    home: str,
    counter: ApiCallCounter,
    errors: list[ScanError],
) -> list[Shard]:
    shards: list[Shard] = []
    for target in targets:
        account_id = target.account_id or own_account
        try:
            clients = base_clients
            if target.role_arn is not None:
                entered = assume(base_clients, home, target.role_arn, request.external_id)
                clients = ClientFactory(entered, counter)
            regions = request.regions or [home]
            if regions == ["all"]:
                regions = enabled_regions(clients, home, "sagemaker")
        except (BotoCoreError, ClientError) as error:
            errors.append(
                ScanError(account=account_id, region="*", kind="*", error=describe_error(error))
            )
            log.warning("account skipped", account=account_id, error=describe_error(error))
            continue
        shards.extend(Shard(account_id=account_id, region=r, clients=clients) for r in regions)
    return shards


def _scan_shard(
    shard: Shard,
    kinds: Sequence[KindSpec],
    run_id: str,
    concurrency: int,
    cache: Cache | None = None,
) -> tuple[list[ResourceRecord], list[ScanError]]:
    """Every kind of one (account, region), side by side where none reads another's records
    (`collect_after`): against AWS the calls' wire time overlaps."""
    bound = log.bind(run_id=run_id, account=shard.account_id, region=shard.region)
    tag_types = [spec.tag_type for spec in kinds if spec.in_tagging_api]
    kept = KeptDescriptions(cache, shard.account_id, shard.region)
    ctx = ShardContext(shard, tag_types, concurrency, kept)
    # A service that does not exist in the region (Bedrock is in fewer) is not asked.
    present = [
        s for s in kinds if shard.region in shard.clients.available_regions(s.region_service())
    ]
    with ThreadPoolExecutor(thread_name_prefix=f"prefetch-{shard.region}") as early:
        for spec in present:
            if spec.prefetch is not None:
                early.submit(_prefetch, spec.prefetch, ctx, spec.kind, bound)
        errors = _collect_each_after_what_it_reads(ctx, present, bound)
    kept.save(datetime.now(UTC))
    found = [record for spec in kinds for record in ctx.records(spec.kind)]
    return found, errors


def _collect_each_after_what_it_reads(
    ctx: ShardContext, kinds: Sequence[KindSpec], bound: Any
) -> list[ScanError]:
    """Each kind as soon as the kinds whose records it reads (`collect_after`) are collected,
    not after every kind listed before it: the knowledge bases wait for the collections they
    name, not for 1,000 endpoint configs to be described. What it reads but is not scanned
    here (another region's services) is no wait. The failures in the kinds' order."""
    collected: dict[str, Future[ScanError | None]] = {}
    # A thread each: a kind waiting holds its own, never one a kind it waits for needs.
    with ThreadPoolExecutor(max(1, len(kinds)), thread_name_prefix=f"kinds-{ctx.region}") as pool:
        for spec in kinds:  # the registry lists what a kind reads before it
            reads = [collected[kind] for kind in spec.collect_after if kind in collected]
            collected[spec.kind] = pool.submit(_collect_after, reads, ctx, spec, bound)
        failed = [done.result() for done in collected.values()]
    return [error for error in failed if error is not None]


def _collect_after(
    reads: Sequence[Future[ScanError | None]], ctx: ShardContext, spec: KindSpec, bound: Any
) -> ScanError | None:
    wait(reads)  # collected or failed (_collect never raises): it reads what there is
    return _collect(ctx, spec, bound)


def _prefetch(
    listing: Callable[[ShardContext], object], ctx: ShardContext, kind: str, bound: Any
) -> None:
    """A kind's listing, early. A failure is not remembered (ShardContext.memo): the kind's
    collect asks again, and fails or is skipped as it would have without this."""
    try:
        listing(ctx)
    except Exception as error:
        bound.debug("prefetch failed", kind=kind, error=describe_error(error))


def _collect(ctx: ShardContext, spec: KindSpec, bound: Any) -> ScanError | None:
    """One kind; its failure is its own (the others go on)."""
    try:
        ctx.add(spec.kind, spec.collect(ctx))
    except Exception as error:
        message = describe_error(error)
        bound.warning("kind skipped", kind=spec.kind, error=message, exc_info=not _is_aws(error))
        return ScanError(account=ctx.account, region=ctx.region, kind=spec.kind, error=message)
    bound.debug("kind collected", kind=spec.kind, count=len(ctx.records(spec.kind)))
    return None


def _is_aws(error: Exception) -> bool:
    return isinstance(error, BotoCoreError | ClientError)

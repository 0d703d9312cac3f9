"""What every kind module provides, and what the inventory hands it.

A kind module holds all of one resource kind's AWS knowledge. For the inventory that is: its name,
the service it lives in, which kinds must be gone before it can be deleted, and `collect`, which
lists the kind in one (account, region) and turns the answers into records.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from watchdog.kinds._calls import status_of
from watchdog.kinds._operation import Operation as Operation
from watchdog.kinds._park import NOT_BUILT, NotParkable, Park
from watchdog.kinds._requests import with_tags
from watchdog.kinds._tags import SERVICE_DIALECTS, TagDialect
from watchdog.records import Kind, ResourceRecord
from watchdog.signals.models import (
    MetricIdentity,
    MetricQuery,
    PriceComponentSpec,
    PriceUnits,
)

T = TypeVar("T")
R = TypeVar("R")


class ScanContext(Protocol):
    """One (account, region) as a kind module sees it. Implemented by the inventory."""

    account: str
    region: str
    partition: str

    def client(self, service: str) -> Any:
        """A boto3 client for this account and region (adaptive retries, counted calls)."""

    def paginate(self, service: str, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a paginated list call."""

    def each(self, service: str, items: Iterable[T], fetch: Callable[[T], R]) -> list[R]:
        """`fetch(item)` for each item, calls overlapping within the region's bound; answers
        in the items' order. `items` may be a generator over a list call's pages: items are
        fetched as they are listed."""

    def memo(self, key: tuple[str, ...], fetch: Callable[[], T]) -> T:
        """`fetch()` once per key for this scan of this (account, region); later calls reuse it."""

    def recall(self, key: tuple[str, ...]) -> tuple[str, Any] | None:
        """(version, value) an earlier scan of this (account, region) kept under `key`."""

    def keep(self, key: tuple[str, ...], version: str, value: Any) -> None:
        """Keep a JSON `value` for later scans: a description AWS never changes while
        `version` (e.g. its CreationTime) stays the same. Kept only if this scan keeps it."""

    def tags(self, arn: str) -> dict[str, str]:
        """The resource's tags, from one paginated Resource Groups Tagging API pass per region."""

    def records(self, kind: Kind) -> list[ResourceRecord]:
        """Records an earlier kind already collected in this (account, region)."""

    def arn(self, service: str, resource: str) -> str:
        """An ARN in this account and region, for resources whose list call omits it."""


class AccountClients(Protocol):
    """Clients for the account and region a resource lives in. Implemented by act."""

    def client(self, service: str, account: str, region: str) -> Any:
        """A boto3 client for `service` in `account` and `region`."""


@dataclass(frozen=True)
class LeftoverLines:
    """A leftover report for people: a heading, one line per thing left, and what to do."""

    heading: str
    items: tuple[str, ...]
    remedy: str


class LeftoverReport(BaseModel):
    """What a delete left in the account on purpose, found right after it (`Leftovers`). Each
    kind that leaves something subclasses it with what it found; the JSON output shows those
    fields, a person `lines()`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    account: str
    region: str

    class Part(BaseModel):
        """One piece of a report (a volume, a security group)."""

        model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    @abstractmethod
    def empty(self) -> bool:
        """Nothing was left."""

    @abstractmethod
    def lines(self) -> LeftoverLines:
        """The report for people."""


@dataclass(frozen=True)
class Leftovers:
    """What deleting this kind leaves in the account on purpose, and how apply finds it to
    report it (never to delete it: that is a person's explicit request)."""

    find: Callable[[AccountClients, ResourceRecord], LeftoverReport]
    iam: tuple[str, ...]  # the IAM actions `find` calls


@dataclass(frozen=True)
class Kept:
    """Something a teardown of the resource leaves in place on purpose, and why."""

    what: str
    reason: str
    # The kept resource's ARN, when it is one the inventory knows: not reported as kept when
    # the same teardown deletes it (a knowledge base's collection, deleted after it).
    arn: str | None = None


def keeps_nothing(record: ResourceRecord) -> tuple[Kept, ...]:
    return ()


def refuses_nothing(record: ResourceRecord) -> str | None:
    return None


@dataclass(frozen=True)
class Teardown:
    """How a kind is stopped and deleted. A None operation means the kind has no such action."""

    stop: Operation | None = None
    delete: Operation | None = None
    # Delete needs the resource stopped first (notebooks): the plan stops it when running.
    stop_before_delete: bool = False
    # Stopping is done by deleting (Studio apps: the app's storage lives in the space/profile).
    stop_is_delete: bool = False
    # States in which nothing needs doing: already gone, or a failed app that blocks nothing.
    done_states: frozenset[str] = frozenset()
    # The resource's full description from AWS (the Describe*/Get* answer without
    # ResponseMetadata), None when it no longer exists. Recorded with every executed step, so a
    # deleted endpoint can be recreated from it.
    describe: Callable[[Any, ResourceRecord], dict[str, Any] | None] | None = None
    # The description's status field; None for kinds that only exist or do not (configs).
    status_field: str | None = None
    # Statuses in which AWS is still carrying out a stop or delete someone asked for: a step
    # finding its resource in one waits for it to settle and never calls again.
    in_progress: frozenset[str] = frozenset()
    # What deleting it leaves behind on purpose (a domain's EFS home), reported with the plan.
    keeps: Callable[[ResourceRecord], tuple[Kept, ...]] = keeps_nothing
    # Kinds among what it uses that AWS deletes together with it (a Bedrock Marketplace
    # endpoint's SageMaker endpoint): the plan counts them gone after its delete, and a finding
    # to delete one of them is carried out by deleting it.
    deletes_used: tuple[Kind, ...] = ()
    # Why the watchdog must never stop or delete this resource itself, read off the record
    # (an instance an Auto Scaling group or EKS manages), or None: the plan marks every step on
    # it blocked with this reason.
    refuses: Callable[[ResourceRecord], str | None] = refuses_nothing

    def status(self, description: dict[str, Any] | None) -> str | None:
        """The status in a description: None when gone, EXISTS for kinds without one."""
        return status_of(description, self.status_field)

    def probe(self, client: Any, record: ResourceRecord) -> str | None:
        """The resource's status now, read through `describe` (one read path per kind)."""
        if self.describe is None:
            raise LookupError(f"{record.kind} cannot be read back")
        return self.status(self.describe(client, record))

    def can(self, action: str) -> bool:
        """Whether the kind can be stopped / deleted at all (notify is always possible)."""
        if action == "stop":
            return self.stop is not None or (self.stop_is_delete and self.delete is not None)
        if action == "delete":
            return self.delete is not None
        return True


@dataclass(frozen=True)
class KindPermissions:
    """The IAM actions a kind's own calls need, per mode ("service:Action").

    Only what nothing else already says: its stop/delete actions are its `Teardown` operations,
    its tag reads and the Exempt button's tag write follow its service (act/tags.py), and the
    calls shared by every kind (the tagging API, CloudWatch, identity) are declared once in
    watchdog/aws/permissions.py. watchdog/permissions.py puts them together.
    """

    # What `collect` calls: its list (or Search) calls and the describes it makes per resource.
    scan: tuple[str, ...] = ()
    # The call behind `Teardown.describe`: apply reads it right before acting (dry-run too),
    # and restore reads it to see what still exists.
    describe: str | None = None
    # The calls `ai-watchdog restore` makes to recreate or restart one (nothing: not restorable).
    restore: tuple[str, ...] = ()
    # Whether IAM can hold the exemption too: its stop/delete actions accept the
    # aws:ResourceTag condition key (the templates' NeverTearDownExempt Deny lists them).
    resource_tag_condition: bool = True


def no_metrics(record: ResourceRecord) -> tuple[MetricQuery, ...]:
    return ()


def no_price(record: ResourceRecord) -> tuple[PriceUnits, ...]:
    return ()


def not_listed(record: ResourceRecord) -> MetricIdentity | None:
    return None


@dataclass(frozen=True)
class SharedBill:
    """A bill several resources share (collections on one KMS key share their OCUs): deleting
    one of them saves nothing until the last of its `members` goes. `group` says which, to a
    person."""

    group: str
    members: int


def bills_alone(record: ResourceRecord) -> SharedBill | None:
    return None


def since_creation(record: ResourceRecord) -> datetime | None:
    return record.created_at


class CannotRestore(Exception):
    """Restore will not do this; the message is one line a person can act on."""


# Where a person finds what was recorded of a resource restore cannot bring back.
AUDIT_COMMAND = "`ai-watchdog audit --format json`"


@dataclass(frozen=True)
class Uses:
    """What a recreated resource needs to exist first: resources of `kind`, named in its
    recorded description (a config's models). `names` raises CannotRestore when the
    description shows something restore does not recreate."""

    kind: Kind
    names: Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class Recreate:
    """How a deleted resource is created again from its recorded description alone."""

    op: str  # "sagemaker:CreateEndpoint"
    # The Create request from (a client of its service, for its API model; the recorded
    # description; the name); the recorded tags are added by restore.
    request: Callable[[Any, dict[str, Any], str], dict[str, Any]]
    noun: str  # "endpoint config", for messages
    uses: tuple[Uses, ...] = ()
    # What the request references that restore does not create (role, images, model data).
    references: Callable[[dict[str, Any]], tuple[str, ...]] = lambda request: ()
    # The request with the recorded tags (audit description's "tags") in the Create call's
    # dialect; SageMaker's `Tags: [{Key, Value}]` unless the kind says otherwise.
    add_tags: Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]] = with_tags


@dataclass(frozen=True)
class Restart:
    """How a stopped resource is started again, and from which states AWS allows it."""

    op: str  # "sagemaker:StartNotebookInstance"
    request: Callable[[str], dict[str, Any]]  # from the name
    from_states: frozenset[str]
    noun: str  # "notebook instance"
    # Why a resource deleted after it was stopped has nothing to start.
    gone_because: str = ""


@dataclass(frozen=True)
class Restore:
    """How a watchdog delete or stop of the kind is undone, or why it is not."""

    recreate: Recreate | None = None
    restart: Restart | None = None
    # Its delete entry is undone by restoring the resource that used it (a config, with its
    # endpoint), not on its own.
    with_its_user: bool = False
    # Why its delete cannot be undone (and where its description is), for the person asking.
    why_not: str = f"recreate it from its recorded description ({AUDIT_COMMAND})"


@dataclass(frozen=True)
class BilledThrough:
    """A kind with no price of its own: what it runs on carries its cost (an inference
    component's copies run on its endpoint's instances), so its figure is none, not unknown."""

    reason: str  # the cost source its findings show
    cell: str  # what a table's cost column shows instead of "?"


@dataclass(frozen=True)
class IdleShutdownSetting:
    """The kind carries Studio's idle-shutdown setting (`ResourceRecord.idle_shutdown`); when
    it configures none, it inherits from its parent of kind `inherits_from`, if any."""

    inherits_from: Kind | None = None
    inherited_words: str = ""  # "inherited from its domain", for the finding's reason


@dataclass(frozen=True)
class KindSpec:
    """A kind's registration: the facts the shared stages need, and its collect function."""

    kind: Kind
    service: str
    # Its type in the Resource Groups Tagging API ("service:type", the type as in its ARN):
    # the scan's one GetResources pass per region asks for these types only, not for every
    # tagged training job and pipeline of the service.
    tag_type: str
    # Kinds whose resources must be deleted before a resource of this kind can be.
    depends_on: tuple[Kind, ...]
    collect: Callable[[ScanContext], list[ResourceRecord]]
    # Kinds whose records `collect` reads (`ScanContext.records`): it runs after them; the
    # others collect side by side.
    collect_after: tuple[Kind, ...] = ()
    # A listing `collect` makes that reads no records (memoised on the context): the scan
    # starts it with the first wave, so its wire time overlaps the kinds it waits for.
    prefetch: Callable[[ScanContext], object] | None = None
    # What it is, for people: its row in README's kinds table (`make generate`).
    about: str = ""
    # Signals: the CloudWatch series that say whether it is used, and what it bills per hour.
    metric_queries: Callable[[ResourceRecord], tuple[MetricQuery, ...]] = no_metrics
    price_units: Callable[[ResourceRecord], tuple[PriceUnits, ...]] = no_price
    # For kinds without a load metric: the traffic series whose mere existence in CloudWatch
    # (ListMetrics) says whether calls to it would be seen at all.
    published_under: Callable[[ResourceRecord], MetricIdentity | None] = not_listed
    # The bill it shares with others of its kind, if any: evaluate counts no saving for
    # deleting it unless every member of the group has a finding that stops or deletes it.
    shares_bill: Callable[[ResourceRecord], SharedBill | None] = bills_alone
    # Since when it has been running in its current state ("running longer than" policies).
    running_since: Callable[[ResourceRecord], datetime | None] = since_creation
    teardown: Teardown = Teardown()
    # It exists only to serve the resources that use it and bills nothing itself (endpoint
    # configs, models): deleting its last user deletes it too; anything else a deleted
    # resource uses is kept, as having value of its own.
    deleted_with_users: bool = False
    # Evaluate: traffic on it is traffic on its parents (an endpoint serves through its
    # inference components); its cost is carried by what it runs on; it has an idle-shutdown
    # setting ("idle_shutdown_disabled" policies).
    traffic_counts_for_parents: bool = False
    billed_through: BilledThrough | None = None
    idle_shutdown: IdleShutdownSetting | None = None
    # How its tags are read and written, when not in its service's usual dialect.
    tag_dialect: TagDialect | None = None
    # What its delete leaves in the account on purpose, found and reported after it.
    leftovers: Leftovers | None = None
    # False: the scan reads its tags with the kind's own calls (collect), so the region's
    # tagging-API pass does not ask for `tag_type`: a type that API may not know could fail the
    # whole pass, and with it every kind's tags in the region; a type whose listing carries its
    # tags would only lengthen the pass, whose pages come one after the other.
    in_tagging_api: bool = True
    restore: Restore = Restore()
    # How it is parked and resumed (office hours), or why it cannot be.
    park: Park | NotParkable = NOT_BUILT

    # How the AWS Price List names the price components `price_units` uses: the signals stage
    # finds every component here, by name, and nowhere else.
    price_components: tuple[PriceComponentSpec, ...] = ()

    # Its IAM actions per mode, beyond its teardown operations (KindPermissions).
    iam: KindPermissions = KindPermissions()
    # The service whose regions it is scanned in, when botocore's endpoint data lists none for
    # its own (newer services, such as Agents for Bedrock, resolve endpoints by rules only).
    regions_of: str | None = None

    def region_service(self) -> str:
        """The service whose region list says where it exists."""
        return self.regions_of or self.service

    def tagging(self) -> TagDialect:
        """Its tag calls: its own dialect, else its service's."""
        dialect = self.tag_dialect or SERVICE_DIALECTS.get(self.service)
        if dialect is None:
            raise LookupError(f"{self.kind} declares no way to read its tags")
        return dialect

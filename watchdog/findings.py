"""Findings and teardown steps: what evaluate concludes and what plan orders.

Evaluate produces findings (resource, policy, action, reason, evidence, cost); plan fills in the
ordered steps. Both are plain, frozen, JSON-serialisable models so a finding can be stored,
posted to Slack, approved and executed later exactly as it was shown.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from watchdog.policies.schema import Action, ActionWindow, ParkSchedule
from watchdog.records import Kind, ResourceRecord

EvidenceState = Literal["idle", "active", "unknown", "not-measured"]
CostBasis = Literal["price-list", "cost-explorer", "fallback", "unknown"]
Confidence = Literal["high", "medium", "low"]
UnknownCause = Literal["too-new", "no-metrics", "query-failed"]


# How a park its resource's own tags approved names its approver ("tag:" and the pairs): in its
# plan and audit entries, and in `ai-watchdog findings`. Act re-checks the tags by this prefix.
TAG_APPROVAL = "tag:"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    """What the finding rests on, with its numbers and window.

    `state` is the idle reading: idle / active / unknown for policies with an idle condition,
    not-measured otherwise. `facts` holds the figures behind each condition that matched.
    """

    state: EvidenceState = "not-measured"
    # Why the state is unknown: a resource too new for the window is left alone; missing or
    # failed metrics are a monitoring gap worth reporting.
    unknown_cause: UnknownCause | None = None
    window_hours: float | None = None
    invocations: float | None = None
    threshold: float | None = None
    load_datapoints: int | None = None
    # Read from an earlier run's series that still hold (signals/quiet.py): the load metrics'
    # count this run is not known, only their newest datapoint, which proves them present.
    load_seen_at: datetime | None = None
    # For kinds without a load metric: whether CloudWatch lists the traffic series at all
    # (it lists those written to in the last two weeks). False: idle rests on absence alone.
    traffic_published: bool | None = None
    # Idle read from weak utilization series only (CPU and network, no GPU metric): a hint,
    # so the finding's confidence is at most medium.
    weak: bool = False
    detail: str = ""
    facts: dict[str, str] = Field(default_factory=dict)


class Step(_Frozen):
    """One AWS call in a teardown. `depends_on` lists step ids that must be done first;
    `blocked` says why it cannot run yet (None: it can run once its dependencies are done)."""

    id: str
    op: str  # "service:Operation", e.g. "sagemaker:DeleteApp"
    target_arn: str
    target_kind: Kind
    target_name: str
    depends_on: tuple[str, ...] = ()
    params: dict[str, str] = Field(default_factory=dict)
    blocked: str | None = None


class Retained(_Frozen):
    """Something the teardown deliberately leaves in place, and why."""

    what: str
    reason: str


class Irreversible(_Frozen):
    """A delete in the teardown that `ai-watchdog restore` cannot undo, and why: said before
    anyone approves it."""

    what: str  # "opensearch-serverless-collection rag-prototype-vectors"
    why: str


HOURS_PER_WEEK = 168


class Finding(_Frozen):
    id: str
    resource: ResourceRecord
    policy: str
    action: Action
    # The policy's action when evaluate had to downgrade it (unknown evidence, serverless...).
    requested_action: Action | None = None
    reason: str
    evidence: Evidence
    monthly_cost_usd: float | None
    cost_basis: CostBasis
    cost_source: str = ""
    confidence: Confidence
    approval: Literal["required", "automatic"] = "required"
    approval_grace_hours: float | None = None
    # With action park: the tag pairs on the resource that approve it ("k=v"), its owner's
    # consent (the policy's approval.automatic_when_tagged); None: the policy's mode decides.
    approved_by_tags: str | None = None
    action_window: ActionWindow | None = None
    actions_allowed_now: bool = True
    # With action park: when it is parked and resumed, and how many hours a week that is
    # (None: it resumes on demand).
    park: ParkSchedule | None = None
    parked_hours_per_week: float | None = None
    # Or: parked once idle this many hours (its policy's park_when_idle), back on demand;
    # beside a schedule, also parked between the schedule's parks, back at its resume.
    park_when_idle_hours: float | None = None
    # With both: whether it had stood idle that long when evaluated (the idle rule may then
    # park it). None without both: the idle rule alone chooses the resources it finds.
    idle_now: bool | None = None
    # Why stopping or deleting it alone saves nothing: the bill it shares with resources no
    # finding stops or deletes (its kind's `shares_bill`). Its cost is still its share.
    shared_bill: str | None = None

    def decision(self) -> dict[str, object]:
        """The finding without its wording: what a reading held from an earlier run
        (signals/quiet.py) may say otherwise than a fresh one, which counts this run's load
        datapoints. Two runs decided alike when these are equal."""
        dumped = self.model_dump(mode="json", exclude={"reason": True})
        evidence = dumped["evidence"]
        for field in ("detail", "load_datapoints", "load_seen_at"):
            evidence.pop(field)
        return dumped

    @property
    def parks(self) -> bool:
        """A park finding with its schedule or its idle rule: what the parking flow runs."""
        return self.action == "park" and (
            self.park is not None or self.park_when_idle_hours is not None
        )

    @property
    def tag_approver(self) -> str | None:
        """Its approver when its tags approve it ("tag:watchdog:schedule=office-hours")."""
        return None if self.approved_by_tags is None else f"{TAG_APPROVAL}{self.approved_by_tags}"

    def monthly_savings_usd(self) -> float:
        """What carrying out its action saves a month: the whole cost for a stop or delete,
        the parked share of it for a park (0 when either is unknown, or when its bill is shared
        with resources that stay: `shared_bill`)."""
        if self.action == "notify" or self.monthly_cost_usd is None or self.shared_bill:
            return 0.0
        if self.action == "park":
            hours = self.parked_hours_per_week or 0.0
            return self.monthly_cost_usd * hours / HOURS_PER_WEEK
        return self.monthly_cost_usd

    owner: str | None = None
    steps: tuple[Step, ...] = ()
    retained: tuple[Retained, ...] = ()
    irreversible: tuple[Irreversible, ...] = ()
    # Set by plan when the teardown cannot be planned at all (an exempt resource inside it).
    blocked: str | None = None


def finding_id(policy: str, arn: str, action: str) -> str:
    """Stable across runs, so the same finding is recognised (not re-posted, not re-approved)."""
    digest = hashlib.sha256(f"{policy}|{arn}|{action}".encode()).hexdigest()
    return f"f-{digest[:12]}"


def step_id(op: str, arn: str, created_at: datetime | None = None) -> str:
    """Stable across runs and findings: the same call on the same resource is one step.

    The creation time is part of it: a resource re-created under the same ARN is a new
    resource, and its teardown must not be taken as already done.
    """
    born = created_at.isoformat() if created_at else ""
    digest = hashlib.sha256(f"{op}|{arn}|{born}".encode()).hexdigest()
    return f"s-{digest[:12]}"

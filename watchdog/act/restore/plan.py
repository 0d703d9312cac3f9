"""What every restore planner shares: the plan it makes and what it reads to make it.

A plan is the calls restore makes (RestoreAction), in the order they run, and the dependencies
it uses as they are (ExistingResource). A planner reads through `Context`: the audit log (the
descriptions recorded before each delete or stop) and AWS as it is now (each kind's own
describe()). Kept out of flow.py so the recreate planner (recreate.py) and restore itself build on
the same pieces; what outsiders need from here is exported by the face, watchdog.act.restore.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from watchdog.kinds import BY_KIND
from watchdog.kinds.base import CannotRestore
from watchdog.records import Kind, ResourceRecord
from watchdog.store.base import AuditEntry, Store

# Dependencies' delete entries are looked up in the whole log: a config may have been deleted
# by a later run than its endpoint, or by another finding (the last endpoint sharing it).
AUDIT_SCAN_LIMIT = 1_000_000

# Restore will not do this; the message is one line a person can act on. Kinds raise it
# too (as CannotRestore) when a description shows what restore does not recreate.
RestoreRefused = CannotRestore


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RestoreAction(_Frozen):
    """One call restore makes (or would make), with exactly the parameters it sends."""

    op: str  # "sagemaker:CreateModel"
    kind: Kind
    name: str
    arn: str  # the ARN it had, which a recreated resource gets again
    request: dict[str, Any]
    from_audit_id: str  # the entry whose recorded description the request is built from
    # What it needs that restore does not create (role, images, model data), as recorded: if
    # those are gone too, AWS refuses the call.
    references: tuple[str, ...] = ()


class ExistingResource(_Frozen):
    """A dependency that still exists and is used as it is."""

    kind: Kind
    name: str


class RestorePlan(_Frozen):
    audit_id: str
    finding_id: str
    account: str
    region: str
    actions: tuple[RestoreAction, ...]  # in the order they run
    reused: tuple[ExistingResource, ...] = ()


class RestoreResult(_Frozen):
    plan: RestorePlan
    executed: bool
    audit_ids: tuple[str, ...] = ()  # the "restored" entries written (none in a dry run)


@dataclass
class Context:
    """The entry being undone, and where to look things up: AWS now, and the audit log."""

    entry: AuditEntry
    store: Store
    client: Any
    _log: list[AuditEntry] | None = field(default=None, repr=False)

    def log(self) -> list[AuditEntry]:
        """The whole audit log, newest first, read once and only when needed."""
        if self._log is None:
            self._log = self.store.list_audit(limit=AUDIT_SCAN_LIMIT)
        return self._log

    def live(self, kind: Kind, name: str) -> dict[str, Any] | None:
        """The kind's own describe(): the description now, or None when it does not exist."""
        describe = BY_KIND[kind].teardown.describe
        assert describe is not None, f"{kind} has no describe"
        return describe(self.client, self._record(kind, name))

    def _record(self, kind: Kind, name: str) -> ResourceRecord:
        # The restorable kinds' describe() reads only the name; the ARN just fills the record.
        partition = self.entry.target_arn.split(":")[1] or "aws"
        service, resource = BY_KIND[kind].tag_type.split(":", 1)
        arn = (
            f"arn:{partition}:{service}:{self.entry.region}:{self.entry.account}:"
            f"{resource}/{name.lower()}"
        )
        return ResourceRecord(
            kind=kind, arn=arn, name=name, account=self.entry.account, region=self.entry.region
        )

    def described(self, entry: AuditEntry) -> dict[str, Any]:
        """The entry's recorded description; a done entry without one falls back to the
        "started" entry its step wrote right before the call."""
        if entry.description.get("describe"):
            return dict(entry.description)
        for other in self.log():
            if (
                other.step_id is not None
                and other.step_id == entry.step_id
                and other.outcome == "started"
                and other.description.get("describe")
            ):
                return dict(other.description)
        return dict(entry.description)

    def recorded_delete(self, kind: Kind, name: str) -> AuditEntry | None:
        """The newest done delete of `kind` `name` in the entry's account and region, from the
        same finding when there is one (it is the teardown being undone)."""
        delete = BY_KIND[kind].teardown.delete
        assert delete is not None
        matches = [
            e
            for e in self.log()
            if e.op == delete.op
            and e.outcome == "done"
            and e.account == self.entry.account
            and e.region == self.entry.region
            and self.described(e).get("name") == name
        ]
        same_finding = [e for e in matches if e.finding_id == self.entry.finding_id]
        chosen = same_finding or matches
        return chosen[0] if chosen else None


def plan_of(
    ctx: Context, actions: Iterable[RestoreAction], reused: Iterable[ExistingResource]
) -> RestorePlan:
    """The plan undoing the context's entry: `actions` in the order they run."""
    return RestorePlan(
        audit_id=ctx.entry.id,
        finding_id=ctx.entry.finding_id,
        account=ctx.entry.account,
        region=ctx.entry.region,
        actions=tuple(actions),
        reused=tuple(reused),
    )

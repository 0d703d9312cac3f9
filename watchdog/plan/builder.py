"""plan: each stop/delete finding becomes ordered steps over the dependency graph. Pure.

Deleting a resource deletes what it contains first (a domain's apps, spaces and profiles; an
endpoint's inference components), then the resource, then what it used (endpoint config, models)
when nothing outside this teardown still uses them. A notebook is stopped before it is deleted.
Steps AWS would refuse right now carry `blocked` with the reason instead of being left out, so
a person sees the whole teardown and why part of it waits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from graphlib import TopologicalSorter

from watchdog.findings import Finding, Irreversible, Retained, Step, step_id
from watchdog.kinds import BY_KIND, REGISTRY
from watchdog.kinds._park import serves_others, way_for
from watchdog.kinds.base import Operation
from watchdog.policies.exemptions import exempt_because
from watchdog.policies.schema import Exemptions, Policy
from watchdog.records import Kind, ResourceRecord
from watchdog.words import some_of


def plan(
    findings: Sequence[Finding],
    resources: Sequence[ResourceRecord],
    now: datetime,
    policies: Sequence[Policy] = (),
) -> list[Finding]:
    """The findings with their steps and what is retained filled in.

    Exemptions are checked again over everything a teardown would touch: an exempt app inside
    a domain blocks the domain's deletion, and an exempt model is kept.
    """
    by_arn = {r.arn.lower(): r for r in resources}
    rules = {p.name: p.exemptions for p in policies}
    planned = []
    for finding in findings:
        if finding.action == "notify":
            planned.append(finding)
            continue
        exemptions = rules.get(finding.policy, Exemptions())
        builder = _Builder(by_arn, now, partial(exempt_because, rules=exemptions, now=now))
        if finding.action == "delete":
            builder.delete(finding.resource)
        elif finding.action == "park":
            builder.park(finding.resource)
        else:
            builder.stop(finding.resource)
        planned.append(_with_steps(finding, builder))
    return planned


def _with_steps(finding: Finding, builder: _Builder) -> Finding:
    if builder.exempt_inside:
        what = ", ".join(builder.exempt_inside)
        return finding.model_copy(
            update={"blocked": f"it contains exempt resources ({what}), so it is left in place"}
        )
    return finding.model_copy(
        update={
            "steps": tuple(builder.steps),
            "retained": tuple(builder.retained),
            "irreversible": irreversible(builder.steps),
        }
    )


def irreversible(steps: Sequence[Step]) -> tuple[Irreversible, ...]:
    """The deletes restore cannot undo: of the kinds it recreates nothing, each with its
    kind's reason (a stop is undone by starting again, or the resource is still there)."""
    found = []
    for step in steps:
        spec = BY_KIND[step.target_kind]
        deletes = spec.teardown.delete is not None and step.op == spec.teardown.delete.op
        restore = spec.restore
        if not deletes or restore.recreate is not None or restore.with_its_user:
            continue
        found.append(
            Irreversible(what=f"{step.target_kind} {step.target_name}", why=restore.why_not)
        )
    return tuple(found)


@dataclass
class _Builder:
    by_arn: dict[str, ResourceRecord]
    now: datetime
    exempt: Callable[[ResourceRecord], str | None]
    steps: list[Step] = field(default_factory=list)
    exempt_inside: list[str] = field(default_factory=list)
    retained: list[Retained] = field(default_factory=list)
    # ARN -> the id of the step after which it is gone (or None when nothing was needed).
    _gone_after: dict[str, str | None] = field(default_factory=dict)
    # What a delete keeps that is a resource of its own (lower-cased ARN): reported once the
    # whole teardown is known, unless the teardown deletes it too.
    _kept_unless_gone: list[tuple[str, Retained]] = field(default_factory=list)

    def stop(self, record: ResourceRecord) -> None:
        teardown = BY_KIND[record.kind].teardown
        if teardown.stop_is_delete:
            self.delete(record)
        elif teardown.stop is not None and record.status not in teardown.done_states:
            self._add(record, teardown.stop, (), after_own_stop=False)

    def park(self, record: ResourceRecord) -> None:
        """Park, then resume: the two calls each occurrence of its schedule makes (act keys
        them by occurrence). What parking keeps is said, and how long coming back takes."""
        parking = way_for(BY_KIND[record.kind].park, record)
        if parking is None:
            return
        refused = (
            parking.refuses(record)
            or serves_others(record)
            or BY_KIND[record.kind].teardown.refuses(record)
        )
        blocked = f"{record.kind} {record.name}: {refused}" if refused else None
        parked = self._step(record, parking.park, (), blocked)
        self._step(record, parking.resume, (parked,), blocked)
        self.retained.append(
            Retained(
                what=parking.keeps,
                reason=f"parking keeps it; coming back takes {parking.resume_takes}",
            )
        )

    def delete(self, root: ResourceRecord) -> None:
        """Delete `root` and what it contains, then what it used once nothing else uses it.

        Uses are settled after the whole tree, because one used resource can have several
        users inside it (a model used by the config and by an inference component).
        """
        pending: dict[str, ResourceRecord] = {}
        self._delete_tree(self._deleted_through(root), (), pending)
        progressed = True
        while pending and progressed:
            progressed = False
            for key, used in list(pending.items()):
                users = [u.lower() for u in used.used_by_arns]
                if all(u in self._gone_after for u in users):
                    after = tuple(sorted({s for u in users if (s := self._gone_after[u])}))
                    del pending[key]
                    self._delete_tree(used, after, pending)
                    progressed = True
        self.retained += [r for arn, r in self._kept_unless_gone if arn not in self._gone_after]
        self._kept_unless_gone.clear()
        for used in pending.values():
            others = [u for u in used.used_by_arns if u.lower() not in self._gone_after]
            names = some_of(others, name=self._name)
            self.retained.append(
                Retained(what=f"{used.kind} {used.name}", reason=f"also used by {names}")
            )

    def _delete_tree(
        self, record: ResourceRecord, after: tuple[str, ...], pending: dict[str, ResourceRecord]
    ) -> str | None:
        key = record.arn.lower()
        if key in self._gone_after:
            return self._gone_after[key]
        self._gone_after[key] = None  # guards against cycles in malformed links
        why = self.exempt(record)
        if why is not None:
            self.exempt_inside.append(f"{record.kind} {record.name}: {why}")
            return None
        gone_with = self._deleted_with(record)
        for other in gone_with:
            if (why := self.exempt(other)) is not None:
                self.exempt_inside.append(f"{other.kind} {other.name}: {why}")
                return None
        children = [self._delete_tree(c, (), pending) for c in self._children(record)]
        before = tuple(sorted({*after, *(c for c in children if c is not None)}))
        last = self._delete_steps(record, before)
        for done in (*gone_with, record):
            self._gone_after[done.arn.lower()] = last
            self._retain_leftovers(done)
        for done in (*gone_with, record):
            self._note_uses(done, pending)
        return last

    def _deleted_with(self, record: ResourceRecord) -> list[ResourceRecord]:
        """What AWS deletes together with `record` (`Teardown.deletes_used`)."""
        kinds = BY_KIND[record.kind].teardown.deletes_used
        found = (self.by_arn.get(arn.lower()) for arn in record.uses_arns)
        return [u for u in found if u is not None and u.kind in kinds]

    def _deleted_through(self, record: ResourceRecord) -> ResourceRecord:
        """The resource whose delete deletes `record` too (a SageMaker endpoint is deleted
        through the Bedrock Marketplace endpoint that uses it), else `record`."""
        for arn in record.used_by_arns:
            user = self.by_arn.get(arn.lower())
            if user is not None and record.kind in BY_KIND[user.kind].teardown.deletes_used:
                return user
        return record

    def _delete_steps(self, record: ResourceRecord, before: tuple[str, ...]) -> str | None:
        teardown = BY_KIND[record.kind].teardown
        if teardown.delete is None or record.status in teardown.done_states:
            return before[-1] if before else None
        stopped_by_us = False
        if teardown.stop_before_delete and teardown.stop and teardown.stop.allows(record.status):
            before = (self._add(record, teardown.stop, before, after_own_stop=False),)
            stopped_by_us = True
        return self._add(record, teardown.delete, before, after_own_stop=stopped_by_us)

    def _children(self, record: ResourceRecord) -> list[ResourceRecord]:
        found = [c for arn in record.child_arns if (c := self.by_arn.get(arn.lower()))]
        if len(found) < 2:
            return found
        # A kind's resources before those of the kinds that depend on them (apps, then spaces,
        # then profiles), so each level's dependencies already exist as steps. The ranks are
        # read once per sort, not once per child.
        ranks = teardown_ranks()
        return sorted(found, key=lambda child: (ranks.get(child.kind, 0), child.arn))

    def _note_uses(self, record: ResourceRecord, pending: dict[str, ResourceRecord]) -> None:
        for arn in record.uses_arns:
            used = self.by_arn.get(arn.lower())
            if used is None or used.arn.lower() in self._gone_after:
                continue
            why = self.exempt(used)
            if why is not None:
                self.retained.append(Retained(what=f"{used.kind} {used.name}", reason=why))
            elif BY_KIND[used.kind].deleted_with_users:
                pending[used.arn.lower()] = used
            else:
                self.retained.append(
                    Retained(
                        what=f"{used.kind} {used.name}",
                        reason="it is kept: it has value of its own; delete it separately",
                    )
                )

    def _add(
        self,
        record: ResourceRecord,
        operation: Operation,
        depends_on: tuple[str, ...],
        *,
        after_own_stop: bool,
    ) -> str:
        blocked = self._blocked(record, operation, after_own_stop)
        return self._step(record, operation, depends_on, blocked)

    def _step(
        self,
        record: ResourceRecord,
        operation: Operation,
        depends_on: tuple[str, ...],
        blocked: str | None,
    ) -> str:
        sid = step_id(operation.step_op, record.arn, record.created_at)
        self.steps.append(
            Step(
                id=sid,
                op=operation.step_op,
                target_arn=record.arn,
                target_kind=record.kind,
                target_name=record.name,
                depends_on=depends_on,
                params=_params(record, operation),
                blocked=blocked,
            )
        )
        return sid

    def _blocked(
        self, record: ResourceRecord, operation: Operation, after_own_stop: bool
    ) -> str | None:
        refused = BY_KIND[record.kind].teardown.refuses(record)
        if refused is not None:
            return f"{record.kind} {record.name}: {refused}"
        committed = record.billing.committed_until
        if record.billing.mode == "committed" and committed and committed > self.now:
            return (
                f"committed until {committed.date().isoformat()}: AWS refuses to delete it "
                "before the commitment ends"
            )
        # After our own stop step the state will be right; otherwise it must be right now.
        if after_own_stop or operation.allows(record.status):
            return None
        return f"{record.kind} {record.name} is {record.status}: {operation.refused_because}"

    def _retain_leftovers(self, record: ResourceRecord) -> None:
        for kept in BY_KIND[record.kind].teardown.keeps(record):
            retained = Retained(what=kept.what, reason=kept.reason)
            if kept.arn is None:
                self.retained.append(retained)
            else:
                self._kept_unless_gone.append((kept.arn.lower(), retained))

    def _name(self, arn: str) -> str:
        record = self.by_arn.get(arn.lower())
        return record.name if record else arn


def teardown_ranks() -> dict[Kind, int]:
    """Each kind's place in teardown order: the length of the longest chain of declared
    dependencies (`KindSpec.depends_on`) below it. Raises CycleError when they loop."""
    graph = {spec.kind: set(spec.depends_on) for spec in REGISTRY}
    ranks: dict[Kind, int] = {}
    for kind in TopologicalSorter(graph).static_order():
        ranks[kind] = 1 + max((ranks[d] for d in graph.get(kind, ())), default=-1)
    return ranks


def _params(record: ResourceRecord, operation: Operation) -> dict[str, str]:
    return dict(operation.params)

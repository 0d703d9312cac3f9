"""Who may do what: the one rule every door asks (Slack's buttons, Socket Mode, approval links,
the CLI) before a person approves, snoozes, exempts, revokes or resumes anything.

The approver allowlist (WATCHDOG_SLACK_APPROVERS) names Slack users (U..., W...) and Slack user
groups (S...). The two are kept apart: a clicker is allowed when their user id is listed as a
user, or when a listed group's members (Slack's usergroups.users.list) include them - never
because their id happens to equal a listed group id. Unset, anyone who can reach a door may act
(the channel is the boundary). Set, only a person Slack vouches for can be matched, so an OS
user at the CLI and whoever holds a link are refused: their identity proves nothing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import structlog

log = structlog.get_logger(__name__)

# Everything a person can do to a finding; a later button adds its deed here and asks `authorize`.
Deed = Literal["approve", "snooze", "exempt", "revoke", "resume"]

# A user group's member ids; raises LookupError when they cannot be read (then nobody is let in
# through that group: not being able to tell is not a yes).
Members = Callable[[str], frozenset[str]]


class NotAllowed(Exception):
    """The person may not do this to the finding; the message says why, in a person's words."""


@dataclass(frozen=True)
class Approvers:
    users: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str | None) -> Approvers:
        """`U0ALICE,S0FINOPS`: ids starting with S are user groups, every other id a user."""
        entries = [entry.strip() for entry in (text or "").split(",") if entry.strip()]
        return cls(
            users=frozenset(e for e in entries if not e.startswith("S")),
            groups=frozenset(e for e in entries if e.startswith("S")),
        )

    def __bool__(self) -> bool:
        return bool(self.users or self.groups)


@dataclass(frozen=True)
class Person:
    """Who is acting: `name` as the audit and Slack show it (`slack:U...`, `link`, an OS user),
    and the Slack user id when Slack itself vouches for it (a signed click, Socket Mode)."""

    name: str
    slack_user: str | None = None


def authorize(
    person: Person, deed: Deed, approvers: Approvers, members: Members | None = None
) -> None:
    """Return when `person` may do `deed`; raise NotAllowed saying why not. One rule for every
    deed: a snooze or an exemption stops a teardown as surely as an approval starts one, so
    none of them is open to someone who could not approve."""
    if not approvers:
        return
    if person.slack_user is None:
        raise NotAllowed(
            f"actions are limited to WATCHDOG_SLACK_APPROVERS (Slack users): {person.name} "
            "cannot be checked against it, so use the buttons in Slack"
        )
    if person.slack_user in approvers.users:
        return
    if _in_a_group(person.slack_user, approvers.groups, members):
        return
    log.info("person refused", deed=deed, user=person.slack_user)
    raise NotAllowed(f"<@{person.slack_user}> is not among the approvers for teardowns")


def _in_a_group(user: str, groups: frozenset[str], members: Members | None) -> bool:
    """Groups are read one at a time, in a fixed order, until one names the user."""
    if members is None:
        return False
    for group in sorted(groups):
        try:
            if user in members(group):
                return True
        except LookupError as error:
            log.warning("user group not read", group=group, error=str(error))
    return False

"""The one rule on who may act (approvals.authorize): the same answer for every deed and door."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from watchdog.approvals.authorize import Approvers, Deed, NotAllowed, Person, authorize
from watchdog.settings import Settings

DEEDS: list[Deed] = ["approve", "snooze", "exempt", "revoke", "resume"]
GROUPS = {"S0FINOPS01": frozenset({"U0CAROL001"})}


def members(group: str) -> frozenset[str]:
    if group not in GROUPS:
        raise LookupError(f"no_such_subteam {group}")
    return GROUPS[group]


def test_user_ids_and_group_ids_are_kept_apart() -> None:
    approvers = Approvers.parse(" U0ALICE001, S0FINOPS01 ,W0EDGE0001,")

    assert approvers.users == {"U0ALICE001", "W0EDGE0001"}
    assert approvers.groups == {"S0FINOPS01"}


@pytest.mark.parametrize("deed", DEEDS)
def test_without_an_allowlist_anyone_may_do_anything(deed: Deed) -> None:
    authorize(Person("link"), deed, Approvers())
    authorize(Person("slack:U0BOB00001", "U0BOB00001"), deed, Approvers())


@pytest.mark.parametrize("deed", DEEDS)
def test_with_an_allowlist_the_same_people_may_do_every_deed(deed: Deed) -> None:
    approvers = Approvers.parse("U0ALICE001,S0FINOPS01")
    for allowed in ("U0ALICE001", "U0CAROL001"):
        authorize(Person(f"slack:{allowed}", allowed), deed, approvers, members)
    for refused in ("U0BOB00001", "S0FINOPS01"):
        with pytest.raises(NotAllowed, match="not among the approvers"):
            authorize(Person(f"slack:{refused}", refused), deed, approvers, members)
    with pytest.raises(NotAllowed, match="use the buttons in Slack"):
        authorize(Person("link"), deed, approvers, members)


def test_an_unreadable_group_lets_nobody_in_but_the_next_group_still_counts() -> None:
    approvers = Approvers.parse("S0GONE0001,S0FINOPS01")

    authorize(Person("slack:U0CAROL001", "U0CAROL001"), "snooze", approvers, members)
    with pytest.raises(NotAllowed):
        authorize(Person("slack:U0CAROL001", "U0CAROL001"), "snooze", approvers, None)


@pytest.mark.parametrize("entry", ["alice", "alice@example.com", "#finops", "u0alice001"])
def test_an_allowlist_entry_that_is_no_slack_id_is_refused_at_start(entry: str) -> None:
    # It would match nobody, and the allowlist would silently refuse every approver.
    with pytest.raises(ValidationError, match="is not a Slack user"):
        Settings(slack_approvers=f"U0ALICE001,{entry}")

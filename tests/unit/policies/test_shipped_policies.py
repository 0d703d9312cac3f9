"""The default policies in policies/: valid, named as promised, and safe."""

from __future__ import annotations

from watchdog.policies import default_policies_dir, load_policies, validate_path

# The policies no one kind owns. A kind's own default policies are promised in its own test
# (tests/unit/kinds/test_<kind>.py, through `shipped_for`), so a new kind edits nothing here.
SHARED = {"studio-idle-shutdown-disabled", "team-over-budget"}


def shipped_for(kind: str) -> set[str]:
    """The names of the shipped policies that look at `kind`."""
    return {p.name for p in load_policies(default_policies_dir()) if kind in p.resource}


def test_the_shipped_policies_validate_with_no_problems() -> None:
    assert validate_path(default_policies_dir()) == []


def test_the_shared_policies_are_shipped_and_every_policy_is_described() -> None:
    policies = load_policies(default_policies_dir())

    assert {p.name for p in policies} >= SHARED
    assert all(p.description.strip().endswith(".") for p in policies)


def test_no_shipped_policy_stops_or_deletes_without_a_person_approving() -> None:
    for policy in load_policies(default_policies_dir()):
        if policy.action != "notify":
            assert policy.approval.mode == "required", policy.name
        assert policy.approval.mode != "automatic", policy.name

"""`approve` right after `plan`, on a store that has never recorded a finding (issue #13, 9):
the id `plan` printed is found in a fresh plan of the same scope, recorded, and approved."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from tests.functional.cli_sandbox import Sandbox, sandbox

__all__ = ["sandbox"]


def test_an_id_from_plan_is_approved_on_a_fresh_store(sandbox: Sandbox) -> None:
    first = sandbox.planned()[0]

    result = sandbox.run("approve", first["id"])

    assert result.exit_code == 0, result.output
    assert f"Approved delete for finding {first['id']} as {getpass.getuser()}" in result.output
    store = sandbox.store()
    stored = store.get_finding(first["id"])
    assert stored is not None and stored.state == "approved"
    assert store.pending_approval(first["id"], "delete", datetime.now(UTC)) is not None
    # The whole fresh plan was recorded, as `apply` records it.
    assert len(store.list_findings()) == len(sandbox.planned())


def test_an_id_no_fresh_plan_contains_is_one_line_and_exit_2(sandbox: Sandbox) -> None:
    result = sandbox.run("approve", "f-0000000000")

    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        "Error: no finding f-0000000000: it is neither in the store nor in a fresh plan of "
        "the current scope; `ai-watchdog plan` lists the current ids"
    ]

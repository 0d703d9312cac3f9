"""Safety over generated accounts, end to end on the in-process sandbox: whatever mix of the AI
cost traps an account holds, a single automatic run with the most aggressive policies never stops
or deletes a resource its kind's test marks protected (busy, managed by another service, used by
an agent, exempt-tagged); and every idle (or, with no idle signal, old), unprotected one with
strong evidence is acted on (so the test cannot pass by doing nothing).

Each example is a fresh emulator: the account is seeded through the kinds' seed hooks (the
same code `make demo` uses), then scanned, evaluated, planned and executed by `apply`. What each
kind brings (how to draw one, its aggressive policy, how to see it still runs) is declared in
that kind's own functional test (`GENERATED = AccountPart(...)`, tests/functional/
generated_accounts.py), so the kinds in the mix are whichever declare one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import boto3
import pytest
import watchdog_sandbox as sandbox
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from watchdog_sandbox.seed import seed_region
from watchdog_sandbox.seed_clients import AwsClients
from watchdog_sandbox.seed_plan import RegionPlan

from tests.fakes import FakeClock
from tests.functional.generated_accounts import AccountPart, Drawn, account_parts
from watchdog.act import ExecOptions, apply
from watchdog.inventory import ScanRequest
from watchdog.policies.schema import Policy
from watchdog.signals.collect import SignalOptions
from watchdog.store.sqlite import SqliteStore

REGION = "us-east-1"
ACCOUNT = "123456789012"
PARTS: list[AccountPart] = account_parts()


@st.composite
def accounts(draw: st.DrawFn) -> list[Drawn]:
    drawn = []
    for part in PARTS:
        count = draw(st.integers(min_value=0, max_value=part.most))
        drawn += [draw(part.draw(i)) for i in range(count)]
    return drawn


def policies() -> list[Policy]:
    """The most aggressive a user could write: act at once, with no person in the loop."""
    return [Policy.model_validate(part.policy) for part in PARTS]


def survivors() -> dict[str, set[str]]:
    """Per kind, the names of its resources still running."""
    return {part.kind: part.alive() for part in PARTS}


def run_once(drawn: list[Drawn], cache: Path) -> dict[str, set[str]]:
    now = datetime.now(UTC)
    clients = AwsClients(boto3.Session(region_name=REGION))
    seed_region(clients, ACCOUNT, REGION, RegionPlan(kinds=tuple(d.seed for d in drawn)), now)
    store = SqliteStore(cache / "watchdog.db")
    try:
        apply(
            ScanRequest(regions=[REGION]),
            policies(),
            store,
            ExecOptions(execute=True),
            clock=FakeClock(now),
            signal_options=SignalOptions(
                lookback=timedelta(days=7), cache_dir=cache, cost_explorer=False
            ),
        )
    finally:
        store.close()
    return survivors()


# Each protection at least once, whatever the generator draws (an agent's knowledge base, an
# Auto Scaling group's instance...), beside ones that must be acted on.
EVERY_PROTECTION = [drawn for part in PARTS for drawn in part.every_protection]


def test_the_mix_holds_the_kinds_that_declare_a_part() -> None:
    # The AI cost traps of issue 11: a part lost (a renamed test module) would thin the mix.
    assert len(PARTS) >= 4 and len({part.kind for part in PARTS}) == len(PARTS)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@pytest.mark.slow  # left out of make test-fast; make test runs it
@given(accounts())
@example(EVERY_PROTECTION)
def test_protected_resources_survive_and_idle_ones_are_acted_on(drawn: list[Drawn]) -> None:
    sandbox.install()
    with mock_aws(), TemporaryDirectory() as cache:
        alive = run_once(drawn, Path(cache))

    for resource in drawn:
        if resource.protected:
            assert resource.name in alive[resource.kind], f"{resource} was stopped or deleted"
        if resource.must_act:
            assert resource.name not in alive[resource.kind], f"{resource} was left running"

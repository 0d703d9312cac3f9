"""What a kind's own functional test adds to the generated accounts of
tests/functional/test_generated_accounts.py: how to draw one of its resources (and whether the
run must leave it alone or act on it), the most aggressive policy a user could write for it, and
how to read from the emulator which of its resources still run. A test module declares
`GENERATED = AccountPart(...)`; the generated-accounts test finds every one, so a new kind joins
the mixed accounts from its own test, without an edit here or there.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from watchdog_sandbox.seed_kinds import KindSeed

# None, the exemption tag, an expiry in the future: the last two protect a resource alike.
EXEMPTIONS: tuple[dict[str, str], ...] = (
    {},
    {"watchdog:exempt": "true"},
    {"watchdog:expires": "2099-01-01"},
)
# No person in the loop and no grace: the most aggressive approval a policy can ask for.
AUTOMATIC = {"mode": "automatic", "grace": "0h"}
# A module-level declaration (a docstring naming it is not one).
DECLARATION = re.compile(r"^GENERATED = AccountPart\(", re.MULTILINE)


@dataclass(frozen=True)
class Drawn:
    """One generated resource and what must become of it."""

    seed: KindSeed
    kind: str
    name: str  # unique across kinds: each part prefixes its own
    protected: bool  # busy, managed or exempt: never stopped or deleted
    must_act: bool  # idle on strong evidence, unmanaged, unexempt, older than the window


@dataclass(frozen=True)
class AccountPart:
    """One kind's share of a generated account."""

    kind: str
    draw: Callable[[int], st.SearchStrategy[Drawn]]  # the i-th of its resources in an account
    most: int  # how many of them one account holds at most
    policy: dict[str, Any]  # the most aggressive policy on it (approval AUTOMATIC)
    alive: Callable[[], set[str]]  # names of its resources still running, read from moto
    # Tried in every run whatever the generator draws: each protection at least once.
    every_protection: tuple[Drawn, ...] = ()


def account_parts() -> list[AccountPart]:
    """Every functional test module's (test_*.py) GENERATED, in module-name order. Only the
    modules whose text declares one are imported."""
    import tests.functional as package

    folder = Path(package.__path__[0])
    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        path = folder / f"{info.name}.py"
        if not info.name.startswith("test_") or not path.is_file():
            continue
        if not DECLARATION.search(path.read_text(encoding="utf-8")):
            continue
        part = importlib.import_module(f"{package.__name__}.{info.name}").GENERATED
        if not isinstance(part, AccountPart):
            raise TypeError(f"{path}: GENERATED is not an AccountPart")
        found.append(part)
    return found

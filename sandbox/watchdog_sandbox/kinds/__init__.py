"""The sandbox modules of kinds that bring their own emulation: one module per kind (or family
of linked kinds), found here without a list to edit.

Each module in this package declares `SANDBOX = SandboxKind(...)`: the moto patches its AWS
calls need (`install`), its AWS Price List products (`products`, built from the catalog's shared
header: regions, publication date), the demo resources it adds to the management account's
primary region (`demo`), how the scan benchmark makes many of them (`bench`), and what of them is
left in the emulator (`remaining`, the fault trials' end state, read without the watchdog). The
rest of the sandbox and the tests read these: `watchdog_sandbox.install()`, the pricing catalog,
the demo plan, bench/scan.py, tests/e2e/faults_sandbox.py. So a new kind's sandbox side is this
one module.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from watchdog_sandbox.seed_kinds import KindSeed


@dataclass(frozen=True)
class DemoTags:
    """The demo organisation's owner tags, for a kind module's demo resources."""

    genai: Mapping[str, str]
    nlp: Mapping[str, str]
    risk: Mapping[str, str]
    recsys: Mapping[str, str]
    exempt: Mapping[str, str]  # genai's, tagged watchdog:exempt=true


def _nothing() -> None:
    return None


def _no_products(catalog: Mapping[str, Any]) -> list[dict[str, Any]]:
    return []


def _no_demo(tags: DemoTags) -> tuple[KindSeed, ...]:
    return ()


def _nothing_left(client: Callable[[str], Any]) -> set[str]:
    return set()


@dataclass(frozen=True)
class SandboxKind:
    """What one kind module adds to the sandbox."""

    # Patches moto in place, idempotent (moto looks handlers up at call time).
    install: Callable[[], None] = _nothing
    # Its Price List products, as pricing.document() builds them from the catalog's header.
    products: Callable[[Mapping[str, Any]], list[dict[str, Any]]] = _no_products
    # Its demo resources in the management account's primary region.
    demo: Callable[[DemoTags], tuple[KindSeed, ...]] = _no_demo
    # kind -> the i-th of many resources of that kind, for bench/scan.py --per-kind.
    bench: Mapping[str, Callable[[int], KindSeed]] = field(default_factory=dict)
    # What of its kinds the emulator still holds, as "<kind> <name> <status>" lines whose names
    # are stable across seeds; `client(service)` is a boto3 client of the sandbox's region.
    remaining: Callable[[Callable[[str], Any]], set[str]] = _nothing_left


@cache
def sandbox_kinds() -> tuple[SandboxKind, ...]:
    """Every kind module's declaration, in module-name order (the demo's order)."""
    found = []
    for module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
        declared = getattr(importlib.import_module(f"{__name__}.{module}"), "SANDBOX", None)
        if not isinstance(declared, SandboxKind):
            raise TypeError(f"watchdog_sandbox.kinds.{module} declares no SANDBOX = SandboxKind")
        found.append(declared)
    return tuple(found)


def bench_kinds() -> dict[str, Callable[[int], KindSeed]]:
    """kind -> its bench resource maker, over every kind module."""
    return {kind: make for declared in sandbox_kinds() for kind, make in declared.bench.items()}

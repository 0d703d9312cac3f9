"""Inventory: what exists, per account and region, as linked records."""

from watchdog.inventory.scan import (
    ScanRequest,
    ScanResult,
    ScanStats,
    Scope,
    check_scope,
    open_scope,
    scan,
)

__all__ = [
    "ScanRequest",
    "ScanResult",
    "ScanStats",
    "Scope",
    "check_scope",
    "open_scope",
    "scan",
]

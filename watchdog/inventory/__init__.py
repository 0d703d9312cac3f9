"""Inventory: what exists, per account and region, as linked records."""

from watchdog.inventory.scan import (
    Progress,
    ScanRequest,
    ScanResult,
    ScanStats,
    check_scope,
    open_scope,
    scan,
)

__all__ = [
    "Progress",
    "ScanRequest",
    "ScanResult",
    "ScanStats",
    "check_scope",
    "open_scope",
    "scan",
]

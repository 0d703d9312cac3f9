"""Inventory: what exists, per account and region, as linked records."""

from watchdog.inventory.scan import ScanRequest, ScanResult, ScanStats, describe_error, scan

__all__ = ["ScanRequest", "ScanResult", "ScanStats", "describe_error", "scan"]

"""ai-cost-watchdog: find idle or over-budget AWS AI resources and tear them down safely.

The import name `watchdog` is shared with the unrelated filesystem-events package on PyPI; the
two cannot be installed in the same environment.
"""

from watchdog.records import Kind, ResourceRecord, ScanError

__all__ = ["Kind", "ResourceRecord", "ScanError"]
__version__ = "0.1.0"

"""AWS Lambda entry point. Thin: read settings, run the core, return a summary.

An EventBridge Scheduler event runs a scan of the configured scope and logs its findings as
structured JSON. Nothing here imports the CLI or terminal libraries, and no client is created at
import time, so a cold start costs little more than importing boto3.
"""

from __future__ import annotations

from typing import Any

import structlog

from watchdog.inventory import ScanRequest, scan
from watchdog.logs import configure_logging
from watchdog.settings import Settings

log = structlog.get_logger("lambda_handler")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = Settings()
    configure_logging("json", settings.log_level)
    result = scan(
        ScanRequest(
            regions=settings.region_list(),
            accounts=settings.accounts,
            member_role=settings.member_role,
            external_id=settings.external_id,
            max_workers=settings.max_workers,
        )
    )
    by_kind: dict[str, int] = {}
    for record in result.resources:
        by_kind[record.kind] = by_kind.get(record.kind, 0) + 1
    summary = {
        "run_id": result.run_id,
        "resources": len(result.resources),
        "resources_by_kind": by_kind,
        "errors": [error.model_dump() for error in result.errors],
        "api_calls": result.stats.api_calls,
        "duration_s": result.stats.duration_s,
    }
    log.info("scan finished", **summary)
    return summary

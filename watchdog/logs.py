"""structlog set-up: JSON off a terminal, readable on one; always to stderr.

Stdout belongs to the command's output (a table or JSON), so logs never go there.
"""

from __future__ import annotations

import logging
import sys

import structlog


def _stderr_logger(*args: object) -> structlog.PrintLogger:
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(fmt: str | None = None, level: str = "warning") -> None:
    use_json = fmt == "json" or (fmt is None and not sys.stderr.isatty())
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        # sys.stderr is looked up per logger, not bound here: whoever replaces it later (a test
        # harness, a daemon redirecting output) gets the logs.
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )

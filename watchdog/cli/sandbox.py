"""`ai-watchdog sandbox`: a local AWS (moto plus the project's additions) to try things on."""

from __future__ import annotations

import errno

import click

from watchdog.cli._common import Fail

# The sandbox is its own distribution (never part of the product), installed from the clone.
INSTALL_THE_SANDBOX = (
    "the sandbox is not installed: it is its own package, ai-cost-watchdog-sandbox; from the "
    "repository's clone run pip install -e ./sandbox (or make demo, which installs it)"
)


def sandbox_missing(error: ImportError) -> bool:
    """Whether importing the sandbox failed because it (or moto, which it brings) is not
    installed. Any other import error is a fault inside an installed sandbox: shown as one, not
    as advice to install what is there."""
    top = (error.name or "").partition(".")[0]
    return isinstance(error, ModuleNotFoundError) and (
        error.name == "watchdog_sandbox" or top == "moto"
    )


@click.group()
def sandbox() -> None:
    """The built-in sandbox AWS account (no credentials needed)."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True)
@click.option("--seed", is_flag=True, help="Fill it with the demo accounts and resources.")
@click.option(
    "--latency-ms",
    type=click.FloatRange(0, 10_000),
    default=0,
    show_default=True,
    help="Add this much wire time to every request (after seeding), overlapping across "
    "concurrent requests as AWS's does, so timings match what users will see.",
)
def serve(host: str, port: int, seed: bool, latency_ms: float) -> None:
    """Serve the sandbox over HTTP until interrupted; point AWS_ENDPOINT_URL at it."""
    try:
        from watchdog_sandbox.server import serve as serve_sandbox
    except ImportError as error:
        if not sandbox_missing(error):
            raise
        raise Fail(INSTALL_THE_SANDBOX) from error
    try:
        serve_sandbox(host=host, port=port, seed=seed, latency_ms=latency_ms)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise Fail(
                f"port {port} is in use on {host}: stop what listens there, or choose another "
                "--port (0 picks a free one)"
            ) from error
        raise Fail(f"cannot serve on {host}:{port}: {error.strerror or error}") from error

"""What a Lambda cold start loads: each kind of event imports its own side and nothing of the
others, and nothing of the CLI, the daemon, the sandbox or the tests. Structure, not time
(bench/lambda_cold.py measures the time): a fresh interpreter, then its sys.modules.

This runs in the development environment, where rich is installed (structlog imports it
whenever it is); tests/e2e/test_packaging.py checks the built package, where it is not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Never at import, whatever the event.
NEVER = (
    "click",
    "apscheduler",
    "moto",
    "pytest",
    "watchdog.cli",
    "watchdog.daemon",
    "watchdog_sandbox",
)
# The HTTP side (Slack clicks, approval pages), the asynchronous work, the fan-out and Slack
# itself: not for a scheduled event without Slack.
NOT_SCHEDULED = (
    "slack_sdk",
    "watchdog.approvals.http",
    "watchdog.approvals.pages",
    "watchdog.notify.slack",
    "watchdog.notify.blocks",
    "watchdog.notify.interactions",
    "watchdog.service.routes",
    "watchdog.service.clicks",
    "watchdog.service.work",
    "watchdog.service.shards",
    "watchdog.store.sqlite",
)

SCHEDULED_EVENT = """
import boto3
from moto import mock_aws
from watchdog.store.dynamodb import create_table
with mock_aws():
    create_table(boto3.client("dynamodb", region_name="us-east-1"), "watchdog")
    import lambda_handler
    summary = lambda_handler.handler({"source": "aws.scheduler"}, None)
    assert summary["verdict"] == "nothing-to-do", summary
"""


def loaded_after(code: str, **env: str) -> set[str]:
    """The modules a fresh interpreter holds after `code`, from the repository root."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def imported(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules for n in names if m == n or m.startswith(n + "."))


def test_importing_the_handler_loads_no_cli_daemon_sandbox_test_or_http_side() -> None:
    modules = loaded_after("import lambda_handler")

    assert imported(modules, NEVER) == []
    assert imported(modules, NOT_SCHEDULED) == []
    assert "watchdog.service.cycle" in modules  # the scheduled path is ready at init


@pytest.mark.slow  # left out of make test-fast; make test runs it
def test_a_scheduled_cycle_without_slack_loads_neither_slack_nor_the_http_side(
    tmp_path: Path,
) -> None:
    modules = loaded_after(
        SCHEDULED_EVENT,
        WATCHDOG_CACHE_DIR=str(tmp_path),
        WATCHDOG_STORE="dynamodb://watchdog",
        WATCHDOG_REGIONS="us-east-1",
        WATCHDOG_COST_EXPLORER="false",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )

    assert imported(modules, NOT_SCHEDULED) == []
    assert imported(modules, ("click", "apscheduler", "watchdog.cli", "watchdog.daemon")) == []


def test_configured_slack_is_loaded_by_the_service_that_uses_it() -> None:
    modules = loaded_after(
        "from watchdog.service.context import build_service\n"
        "from watchdog.settings import Settings\n"
        "from watchdog.store.open import open_store\n"
        "service = build_service(Settings(), open_store('sqlite://:memory:'))\n"
        "assert service.sender is not None\n",
        WATCHDOG_SLACK_BOT_TOKEN="xoxb-test",
    )

    assert "slack_sdk" in modules


def test_the_collector_runs_again_after_the_import_with_the_imports_frozen_out_of_it() -> None:
    """lambda_handler turns the garbage collector off while it imports: it must come back on."""
    probe = (
        "import gc\nimport lambda_handler\n"
        "assert gc.isenabled() and gc.get_freeze_count() > 0, gc.get_freeze_count()\n"
        "assert gc.get_threshold()[2] == 100, gc.get_threshold()  # watchdog.collector\n"
        "import sys; assert sys.getswitchinterval() == 0.001  # watchdog.switching\n"
        "gc.disable()\nimport importlib; importlib.reload(lambda_handler)\n"
        "assert not gc.isenabled()  # one turned off by its caller stays off\n"
    )
    loaded_after(probe)

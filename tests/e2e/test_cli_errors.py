"""The real `ai-watchdog` process on everyday mistakes: one line on stderr, exit 2, at once.

No sandbox needed: each mistake is caught before anything is asked of AWS.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from tests.e2e.conftest import cli, free_port, run


def assert_one_line_error(result: subprocess.CompletedProcess[str], text: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert text in lines[0]


def test_an_unknown_profile_is_one_line_and_exit_2() -> None:
    result = run(["scan"], AWS_PROFILE="nosuchprofile")

    assert_one_line_error(result, "AWS profile 'nosuchprofile' not found")


def test_a_dead_endpoint_is_named_within_seconds() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()

    result = run(["plan"], endpoint=url)

    assert_one_line_error(result, f"cannot reach the AWS endpoint {url}")
    assert time.monotonic() - started < 15


def test_sandbox_serve_on_a_taken_port_exits_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        # Before the fix this never returned: the timeout is the failure.
        result = subprocess.run(
            [*cli(), "sandbox", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            env=dict(os.environ),
            timeout=60,
        )

    assert_one_line_error(result, f"port {port} is in use")


# A Python that cannot import the sandbox distribution, as a product-only install is: a
# sitecustomize on PYTHONPATH refuses `watchdog_sandbox` before anything else is imported.
NO_SANDBOX = """
import importlib.abc, sys

class _NoSandbox(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "watchdog_sandbox" or name.startswith("watchdog_sandbox."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoSandbox())
"""


def test_without_the_sandbox_installed_demo_and_serve_say_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(NO_SANDBOX)

    for args in (["sandbox", "serve", "--port", "0"], ["demo"]):
        result = run(args, PYTHONPATH=str(tmp_path))

        assert_one_line_error(result, "the sandbox is not installed")
        assert "pip install -e ./sandbox" in result.stderr

"""The Lambda package's build (the Makefile target `sam build` runs) agrees with template.yaml:
wheels for the function's Python and architecture, bytecode for that same Python. Read from
`make -n`, so what is checked is the command as make expands it. (tests/unit/test_templates.py
checks the template itself; tests/e2e/test_packaging.py builds the package.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from cfnlint.decode.cfn_yaml import load as load_cfn_yaml

ROOT = Path(__file__).resolve().parents[2]
PLATFORMS = {"x86_64": "manylinux2014_x86_64", "arm64": "manylinux2014_aarch64"}


@pytest.fixture(scope="module")
def function() -> dict[str, object]:
    template = load_cfn_yaml(str(ROOT / "template.yaml"))
    properties: dict[str, object] = template["Resources"]["WatchdogFunction"]["Properties"]
    return properties


@pytest.fixture(scope="module")
def build_commands() -> list[str]:
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", "build-WatchdogFunction", "ARTIFACTS_DIR=/pkg"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    # One command per logical line (make -n keeps the backslash continuations).
    return [" ".join(line.split()) for line in done.stdout.replace("\\\n", " ").splitlines()]


def one(commands: list[str], pattern: str) -> str:
    [command] = [c for c in commands if re.search(pattern, c)]
    return command


def test_the_wheels_are_for_the_functions_python_and_architecture(
    function: dict[str, object], build_commands: list[str]
) -> None:
    install = one(build_commands, r"pip install .*--target")
    runtime = str(function["Runtime"])
    assert runtime.startswith("python")
    assert f"--python-version {runtime.removeprefix('python')} " in install
    assert "--implementation cp" in install and "--only-binary=:all:" in install
    [arch] = function.get("Architectures") or ["x86_64"]
    assert f"--platform {PLATFORMS[arch]}" in install


def test_the_bytecode_is_compiled_by_the_functions_python_for_a_read_only_directory(
    function: dict[str, object], build_commands: list[str]
) -> None:
    compiled = one(build_commands, r"-m compileall")
    assert "--invalidation-mode unchecked-hash" in compiled
    assert compiled.endswith('"/pkg"')
    interpreter = compiled.split(" -m compileall")[0].strip()
    version = str(function["Runtime"]).removeprefix("python")
    assert interpreter, "no Python for the function's runtime: the build cannot compile"
    ran = subprocess.run(
        [interpreter, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert ran.stdout.strip() == version


def test_nothing_is_copied_beside_the_wheel_but_the_handler(build_commands: list[str]) -> None:
    """The shipped policies travel in the wheel (watchdog/shipped_policies), not twice."""
    copies = [c for c in build_commands if c.startswith(("cp ", "rsync "))]
    assert copies == ['cp lambda_handler.py "/pkg/"']

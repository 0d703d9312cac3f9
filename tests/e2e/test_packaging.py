"""What `pip install ai-cost-watchdog` gets: the wheel carries the shipped policies, so the
defaults work away from a source tree. And what the Lambda function gets: the package `sam
build` makes, with bytecode for its runtime, without what the function never imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from watchdog.policies import load_policies

ROOT = Path(__file__).resolve().parents[2]
PIP_WHEEL = (sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w")


def test_the_wheel_carries_the_shipped_policies_and_uses_them(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("ai_cost_watchdog-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        # The product only: the sandbox is its own distribution (sandbox/), never in this one.
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        assert {t for t in tops if not t.endswith(".dist-info")} == {"watchdog"}
        assert not [n for n in archive.namelist() if "sandbox" in n.split("/")[1:2]]
        archive.extractall(installed)
    shipped = sorted(p.name for p in (installed / "watchdog" / "shipped_policies").iterdir())
    assert shipped == sorted(p.name for p in (ROOT / "policies").iterdir())

    # The unpacked wheel, not this source tree, answers the import (run outside the repo).
    probe = (
        "from watchdog.policies import default_policies_dir, load_policies; "
        "d = default_policies_dir(); print(d); print(len(load_policies(d)))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    directory, count = ran.stdout.split()
    assert Path(directory) == installed / "watchdog" / "shipped_policies"
    assert int(count) == len(load_policies(ROOT / "policies")) > 0


def test_the_sandbox_wheel_is_its_own_with_its_data(tmp_path: Path) -> None:
    """sandbox/ is a distribution of its own: what `pip install ./sandbox` gets holds only
    watchdog_sandbox, its package data (the Price List catalogue) and the dependencies it needs;
    an editable install, which reads the source tree, would not notice data left out."""
    # Built from a copy: setuptools leaves build/ behind, and reuses a stale one's modules.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "sandbox",
        source,
        ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
    )
    built = subprocess.run(
        [*PIP_WHEEL, str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("ai_cost_watchdog_sandbox-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        tops = {name.split("/", 1)[0] for name in names}
        assert {t for t in tops if not t.endswith(".dist-info")} == {"watchdog_sandbox"}
        assert {"watchdog_sandbox/py.typed", "watchdog_sandbox/data/pricing_catalog.json"} <= set(
            names
        )
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        requires = [
            line.split(":", 1)[1].strip()
            for line in archive.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
        archive.extractall(installed)
    assert "ai-cost-watchdog" in requires
    assert any(r.startswith("moto[server]") for r in requires)

    probe = (
        "import json; from importlib import resources; import watchdog_sandbox; "
        "print(watchdog_sandbox.__file__); "
        "print(len(json.loads(resources.files('watchdog_sandbox')"
        ".joinpath('data/pricing_catalog.json').read_text())))"
    )
    ran = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    where, count = ran.stdout.split()
    assert Path(where) == installed / "watchdog_sandbox" / "__init__.py"
    assert int(count) > 0


# -- The Lambda package, as `sam build` makes it (the Makefile's build-WatchdogFunction)

# Distributions the function never imports (the CLI's and the daemon's), and what only they need.
REMOVED = (
    "rich",
    "pygments",
    "markdown-it-py",
    "mdurl",
    "click",
    "apscheduler",
    "tzlocal",
    "waitress",
)
REMOVED_IMPORTS = (
    "rich",
    "pygments",
    "markdown_it",
    "mdurl",
    "click",
    "apscheduler",
    "tzlocal",
    "waitress",
)
# Never imported by `import lambda_handler`, in the package.
NOT_AT_IMPORT = (
    *REMOVED_IMPORTS,
    "moto",
    "pytest",
    "slack_sdk",
    "watchdog.approvals.http",
    "watchdog.approvals.pages",
    "watchdog.notify.slack",
    "watchdog.service.routes",
    "watchdog.service.work",
    "watchdog.store.sqlite",
)
HANDLER_PROBE = """
import json, sys
import lambda_handler
from watchdog.policies import default_policies_dir, load_policies
shipped = default_policies_dir()
print(json.dumps({"modules": sorted(sys.modules), "policies": str(shipped),
                  "count": len(load_policies(shipped)), "path": sys.path[0]}))
"""


@dataclass
class Built:
    root: Path
    python: str  # the interpreter of the function's runtime
    tag: str  # its bytecode tag, e.g. cpython-312


@pytest.fixture(scope="module")
def lambda_package(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("lambda") / "package"
    made = subprocess.run(
        ["make", "--no-print-directory", "build-WatchdogFunction", f"ARTIFACTS_DIR={root}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    python = subprocess.run(
        ["make", "-s", "--no-print-directory", "lambda-python"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    tag = subprocess.run(
        [python, "-c", "import sys; print(sys.implementation.cache_tag)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return Built(root, python, tag)


def test_every_module_has_bytecode_for_the_runtime_used_without_checking_the_source(
    lambda_package: Built,
) -> None:
    sources = list(lambda_package.root.rglob("*.py"))
    assert len(sources) > 100
    missing, checked = [], []
    for source in sources:
        pyc = source.parent / "__pycache__" / f"{source.stem}.{lambda_package.tag}.pyc"
        if not pyc.is_file():
            missing.append(str(source.relative_to(lambda_package.root)))
            continue
        # PEP 552: flags 0b01 is hash-based and unchecked (the zip keeps no usable mtime).
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        if flags != 0b01:
            checked.append(str(pyc.relative_to(lambda_package.root)))
    assert missing == []
    assert checked == []


def test_removed_distributions_leave_no_files_and_no_metadata(lambda_package: Built) -> None:
    root = lambda_package.root
    names = {
        info.name.split("-")[0].lower().replace("_", "-"): info for info in root.glob("*.dist-info")
    }
    assert sorted(set(REMOVED) & set(names)) == []
    assert [name for name in REMOVED_IMPORTS if (root / name).exists()] == []
    # Every distribution left describes only what is there.
    for info in names.values():
        listed = [line.rsplit(",", 2)[0] for line in (info / "RECORD").read_text().splitlines()]
        # A console script's path leads out of the directory (pip's --target); bin/ is gone.
        inside = [path for path in listed if path and not path.startswith("..")]
        absent = [path for path in inside if not (root / path).exists()]
        assert absent == [], info.name
    assert not (root / "bin").exists()


def test_the_policies_ship_once_inside_the_package_and_no_sandbox_cli_or_daemon(
    lambda_package: Built,
) -> None:
    root = lambda_package.root
    assert not (root / "policies").exists()
    shipped = sorted(p.name for p in (root / "watchdog" / "shipped_policies").iterdir())
    assert shipped == sorted(p.name for p in (ROOT / "policies").iterdir())
    for part in ("sandbox", "cli", "daemon"):
        assert not (root / "watchdog" / part).exists(), part
    assert not (root / "watchdog_sandbox").exists()


def test_the_handler_imports_from_the_package_alone_without_the_cli_or_the_http_side(
    lambda_package: Built,
) -> None:
    """As Lambda runs it: the runtime's Python, the package first on the path, no
    site-packages (-S), no environment (-E), nothing written (-B: /var/task is read-only)."""
    ran = subprocess.run(
        [lambda_package.python, "-S", "-E", "-B", "-c", HANDLER_PROBE],
        cwd=lambda_package.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    modules = set(seen["modules"])
    loaded = sorted(m for m in modules for n in NOT_AT_IMPORT if m == n or m.startswith(n + "."))
    assert loaded == []
    assert Path(seen["policies"]) == lambda_package.root / "watchdog" / "shipped_policies"
    assert seen["count"] == len(load_policies(ROOT / "policies"))

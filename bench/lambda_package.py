"""The Lambda deployment package as `sam build` makes it, for bench/lambda_cold.py: built by the
Makefile's build-<LogicalId> target in a copy of CodeUri (as sam does), then looked at: files,
unzipped and zipped size against Lambda's limits, the largest distributions, bytecode for the
runtime's Python, and what must not be in it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "ai-cost-watchdog-bench"
MIB = 1024 * 1024
# Lambda quotas: a .zip uploaded directly, and the function's code and layers unzipped.
ZIPPED_LIMIT = 50 * MIB
UNZIPPED_LIMIT = 250 * MIB
# Distributions (dist-info names) and import names that must not be in the package: test and
# dev tools, and what only the CLI and the daemon use.
MUST_NOT_SHIP = {
    "moto": "moto",
    "pytest": "pytest",
    "mypy": "mypy",
    "ruff": "ruff",
    "cfn-lint": "cfnlint",
    "hypothesis": "hypothesis",
    "rich": "rich",
    "click": "click",
    "apscheduler": "apscheduler",
    "waitress": "waitress",
    "pygments": "pygments",
}
SOURCE_IGNORED = (".aws-sam", ".git", ".venv", "__pycache__", "*_cache", ".hypothesis", "build")


@dataclass
class Function:
    logical_id: str
    runtime: str
    arch: str
    code_uri: str


@dataclass
class Package:
    root: Path
    python: str  # the runtime's interpreter, which compiled the bytecode
    cache_tag: str  # e.g. cpython-312

    def files(self) -> list[Path]:
        return sorted(p for p in self.root.rglob("*") if p.is_file())


def read_template() -> Function:
    """The function whose handler is lambda_handler.handler (regexes: the template has tags)."""
    text = (ROOT / "template.yaml").read_text()
    blocks = re.split(r"^  (?=\w+:\s*$)", text, flags=re.MULTILINE)
    functions = [b for b in blocks if "Type: AWS::Serverless::Function" in b]
    block = next((b for b in functions if "lambda_handler.handler" in b), functions[0])

    def first(key: str, default: str) -> str:
        match = re.search(rf"^\s+{key}:\s*\[?\s*([\w.\-/]+)", block, re.MULTILINE)
        return match.group(1) if match else default

    return Function(
        block.split(":")[0].strip(),
        first("Runtime", "python3.12"),
        first("Architectures", "x86_64"),
        first("CodeUri", "."),
    )


def child_env() -> dict[str, str]:
    drop = ("PYTHONPATH", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")
    return {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_") and k not in drop}


def runtime_python() -> str:
    """The interpreter the Makefile compiles the package with (`make lambda-python`)."""
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "lambda-python"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def build(function: Function) -> Package | str:
    """make build-<LogicalId> in a copy of CodeUri; the package, or why it failed."""
    target = f"build-{function.logical_id}"
    artifacts = CACHE / f"sam-{target}"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    print(f"  sam build: make {target} ARTIFACTS_DIR={artifacts}", flush=True)
    env = {**child_env(), "PIP_CACHE_DIR": str(CACHE / "pip-cache")}
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        source = Path(scratch) / "source"
        ignore = shutil.ignore_patterns(*SOURCE_IGNORED, "*.egg-info")
        shutil.copytree(ROOT / function.code_uri, source, ignore=ignore)
        made = subprocess.run(
            ["make", "--no-print-directory", target, f"ARTIFACTS_DIR={artifacts}"],
            cwd=source,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if made.returncode != 0:
        tail = "\n    ".join((made.stdout + made.stderr).strip().splitlines()[-8:])
        return f"make {target} failed ({made.returncode}):\n    {tail}"
    python = runtime_python()
    tag = subprocess.run(
        [python, "-c", "import sys; print(sys.implementation.cache_tag)"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not tag:
        return f"no interpreter for {function.runtime} (make lambda-python: {python!r})"
    return Package(artifacts, python, tag)


def distributions(root: Path) -> dict[str, str]:
    """Each top-level entry's distribution, from the RECORD files."""
    owner: dict[str, str] = {}
    for record in root.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0].lower().replace("_", "-")
        for line in record.read_text().splitlines():
            top = line.split(",")[0].split("/")[0]
            if top and top != "..":
                owner[top.removesuffix(".py")] = name
    return owner


def zipped_size(root: Path, files: list[Path]) -> int:
    with tempfile.TemporaryFile(dir=CACHE) as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(root).as_posix())
        return handle.tell()


def without_bytecode(package: Package) -> list[str]:
    """Sources with no .pyc for the runtime's Python, or one that checks its source."""
    bad = []
    for source in package.root.rglob("*.py"):
        pyc = source.parent / "__pycache__" / f"{source.stem}.{package.cache_tag}.pyc"
        # PEP 552 flags 0b01: hash-based, unchecked (what compileall's unchecked-hash writes).
        if not pyc.is_file() or int.from_bytes(pyc.read_bytes()[4:8], "little") != 0b01:
            bad.append(source.relative_to(package.root).as_posix())
    return sorted(bad)


def report(package: Package) -> tuple[list[str], dict[str, float]]:
    """Print what the package holds; return the failed checks and the figures."""
    files = package.files()
    unzipped = sum(p.stat().st_size for p in files)
    zipped = zipped_size(package.root, files)
    pyc = [p for p in files if p.suffix == ".pyc"]
    print(f"\n  {'files':>6} {'.pyc':>6} {'unzipped':>12} {'zipped':>12} {'zip margin':>12}")
    print(
        f"  {len(files):6} {len(pyc):6} {unzipped / MIB:8.2f} MiB {zipped / MIB:8.2f} MiB "
        f"{(ZIPPED_LIMIT - zipped) / MIB:8.2f} MiB   (limits: {ZIPPED_LIMIT // MIB} MiB zipped, "
        f"{UNZIPPED_LIMIT // MIB} MiB unzipped; {(UNZIPPED_LIMIT - unzipped) / MIB:.0f} MiB left)"
    )
    owner = distributions(package.root)
    by_group: dict[str, int] = defaultdict(int)
    for path in files:
        top = path.relative_to(package.root).parts[0]
        group = owner.get(top.removesuffix(".py"), top)
        by_group["this project" if top in ("watchdog", "lambda_handler.py") else group] += (
            path.stat().st_size
        )
    print("  largest (unzipped, .pyc included):")
    for group, size in sorted(by_group.items(), key=lambda kv: kv[1], reverse=True)[:8]:
        print(f"    {size / MIB:6.2f} MiB  {group}")

    failed = []
    bad = without_bytecode(package)
    print(
        f"  bytecode for {package.cache_tag} (unchecked-hash): "
        + ("every module" if not bad else f"MISSING for {len(bad)}, e.g. {', '.join(bad[:3])}")
    )
    if bad:
        failed.append("bytecode")
    dists = {
        info.name.split("-")[0].lower().replace("_", "-")
        for info in package.root.glob("*.dist-info")
    }
    tops = {p.name.removesuffix(".py") for p in package.root.iterdir()}
    shipped = [d for d, name in MUST_NOT_SHIP.items() if d in dists or name in tops]
    print(
        f"  MUST NOT be in the package ({', '.join(MUST_NOT_SHIP)}): {', '.join(shipped) or 'ok'}"
    )
    failed += [f"ships {name}" for name in shipped]
    for part in (
        "policies",
        "watchdog_sandbox",
        "watchdog/sandbox",
        "watchdog/cli",
        "watchdog/daemon",
    ):
        if (package.root / part).exists():
            print(f"  MUST NOT be in the package: {part}/")
            failed.append(f"ships {part}")
    figures = {"files": len(files), "unzipped_mib": unzipped / MIB, "zipped_mib": zipped / MIB}
    return failed, figures

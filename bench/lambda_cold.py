"""Lambda benchmark: the cold import of `lambda_handler` against a bare `import boto3`, and the
size of the deployment package.

Cold import: N fresh interpreters (this one, run from the repository root with every WATCHDOG_*
variable cleared) each import boto3, or lambda_handler, timed inside the child after one warm-up
run that writes the bytecode caches. Prints median and min of both and their ratio; the same
import without bytecode for anything but the standard library and boto3 (a package without .pyc
for the runtime's Python: /var/task is read-only, so every cold start compiles its code); the ten
modules under lambda_handler with the largest cumulative time (-X importtime) and who imports
them; and a MUST-NOT check: moto, pytest, rich and click are not imported.

Package: what `sam build` ships for template.yaml's function. With `BuildMethod: makefile`, the
Makefile's build-<LogicalId> target run like sam runs it (in a copy of CodeUri, ARTIFACTS_DIR
kept under /tmp); beside it, always, a reference: the runtime dependencies of pyproject.toml
(not the extras) pip-installed for the function's runtime and architecture into a directory
cached under /tmp, plus lambda_handler.py, watchdog/ (without watchdog/sandbox when the
handler's static import graph never reaches it) and policies/. Prints files, unzipped and zipped
size and the margin to Lambda's limits, with and without boto3 and its dependencies (the runtime
has them); the largest top-level packages, what differs from the reference, bytecode, what is
shipped but never imported; and a MUST-NOT check: moto, pytest, mypy, ruff, cfn-lint and
hypothesis are not in it. --strict exits 1 when a MUST-NOT check fails.

    python bench/lambda_cold.py [--runs 7] [--skip-package] [--strict]
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(tempfile.gettempdir()) / "ai-cost-watchdog-bench"
MIB = 1024 * 1024
# Lambda quotas: a .zip uploaded directly, and the function's code and layers unzipped.
ZIPPED_LIMIT = 50 * MIB
UNZIPPED_LIMIT = 250 * MIB
MUST_NOT_IMPORT = ("moto", "pytest", "rich", "click")
# Distribution name: top-level import names, for the package check.
MUST_NOT_SHIP = {
    "moto": ("moto",),
    "pytest": ("pytest", "_pytest"),
    "mypy": ("mypy",),
    "ruff": ("ruff",),
    "cfn-lint": ("cfnlint",),
    "hypothesis": ("hypothesis",),
}
# What the Lambda Python runtime already has: boto3 and its dependencies.
RUNTIME_PROVIDED = {
    "boto3": "boto3",
    "botocore": "botocore",
    "s3transfer": "s3transfer",
    "jmespath": "jmespath",
    "python-dateutil": "dateutil",
    "six": "six",
    "urllib3": "urllib3",
}
RUNTIME_PROVIDED_IMPORTS = set(RUNTIME_PROVIDED.values())
# What aws-lambda-builders' python_pip workflow leaves out when it copies CodeUri.
SAM_EXCLUDES = (
    ".aws-sam", ".chalice", ".git", ".gitignore", "*.pyc", "__pycache__", "*.so", ".Python",
    "*.egg-info", "*.egg", "pip-log.txt", "pip-delete-this-directory.txt", "htmlcov", ".tox",
    ".nox", ".coverage", ".cache", ".pytest_cache", ".python-version", ".mypy_cache",
    ".dmypy.json", ".pyre", ".env", ".venv", "venv", "venv.bak", "env.bak", "ENV", "env",
    ".vscode", ".idea",
)  # fmt: skip
IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S.*)$")
PROJECT_IMPORTS = ("lambda_handler", "watchdog")
PROJECT_TOPS = ("lambda_handler.py", "watchdog", "policies")

TIMED_CHILD = """\
import time
started = time.perf_counter()
import {module}
print(time.perf_counter() - started)
"""
# Which modules `import lambda_handler` loads, and from where.
MODULES_CHILD = """\
import json, sys
import lambda_handler
print(json.dumps({n: getattr(m, "__file__", None) for n, m in list(sys.modules.items())}))
"""
WARM_CHILD = """\
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception:
        pass
"""


@dataclass
class Imported:
    name: str
    self_us: int
    cumulative_us: int
    depth: int
    parent: str | None = None


@dataclass
class ColdImport:
    boto3_s: list[float]
    handler_s: list[float]
    handler_no_bytecode_s: list[float]
    modules: dict[str, str | None]
    tree: list[Imported]


@dataclass
class Entry:
    path: Path
    arcname: str
    group: str
    runtime_provided: bool = False


@dataclass
class Package:
    label: str
    entries: list[Entry] = field(default_factory=list)
    group_imports: dict[str, set[str]] = field(default_factory=dict)


def child_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WATCHDOG_")
        and key not in {"PYTHONPATH", "PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE"}
    }
    env.update(extra)
    return env


def run_child(
    code: str, *args: str, flags: tuple[str, ...] = (), env: dict[str, str] | None = None
) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, *flags, "-c", code, *args],
        cwd=ROOT,
        env=child_env(**(env or {})),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"child failed ({done.returncode}):\n{done.stderr}")
    return done.stdout, done.stderr


def timed_import(module: str, **env: str) -> float:
    stdout, _ = run_child(TIMED_CHILD.format(module=module), env=env)
    return float(stdout.strip())


def parse_importtime(stderr: str) -> list[Imported]:
    rows = []
    for line in stderr.splitlines():
        match = IMPORTTIME.match(line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            rows.append(Imported(name, int(self_us), int(cumulative_us), len(indent) // 2))
    # -X importtime prints a module after everything it imported, one level less indented:
    # read backwards, a module's parent is the last one seen one level up.
    above: dict[int, str] = {}
    for row in reversed(rows):
        row.parent = above.get(row.depth - 1) if row.depth else None
        above[row.depth] = row.name
    return rows


def under_handler(rows: list[Imported]) -> list[Imported]:
    """The rows of the lambda_handler subtree (site's own imports come before it)."""
    end = next(i for i, row in enumerate(rows) if row.depth == 0 and row.name == "lambda_handler")
    start = end
    while start > 0 and rows[start - 1].depth > 0:
        start -= 1
    return rows[start : end + 1]


def median_tree(runs: list[list[Imported]]) -> list[Imported]:
    """Each module's median self and cumulative time over runs with the same import order."""
    first = runs[0]
    same = [rows for rows in runs if [r.name for r in rows] == [r.name for r in first]]
    return [
        Imported(
            row.name,
            int(statistics.median(rows[i].self_us for rows in same)),
            int(statistics.median(rows[i].cumulative_us for rows in same)),
            row.depth,
            row.parent,
        )
        for i, row in enumerate(first)
    ]


def is_stdlib(path: str | None) -> bool:
    if path is None:
        return True  # built-in and frozen modules
    stdlib = sysconfig.get_paths()["stdlib"]
    return path.startswith(stdlib) and "site-packages" not in path


def measure_imports(runs: int) -> ColdImport:
    # The warm-up writes the bytecode caches, so every timed run reads them like a warm disk.
    timed_import("boto3")
    timed_import("lambda_handler")
    boto3_s, handler_s = [], []
    for _ in range(runs):
        boto3_s.append(timed_import("boto3"))
        handler_s.append(timed_import("lambda_handler"))
    stdout, _ = run_child(MODULES_CHILD)
    modules: dict[str, str | None] = json.loads(stdout)
    trees = []
    for _ in range(min(runs, 3)):
        _, stderr = run_child("import lambda_handler", flags=("-X", "importtime"))
        trees.append(under_handler(parse_importtime(stderr)))
    # Without bytecode: a cache prefix holding only the standard library's and boto3's .pyc
    # (the runtime's own), read but never written, so everything else compiles every time.
    warm = sorted(
        name
        for name, path in modules.items()
        if is_stdlib(path) or name.split(".")[0] in RUNTIME_PROVIDED_IMPORTS
    )
    no_bytecode = []
    with tempfile.TemporaryDirectory(prefix="pycache-") as prefix:
        run_child(WARM_CHILD, *warm, env={"PYTHONPYCACHEPREFIX": prefix})
        for _ in range(runs):
            no_bytecode.append(
                timed_import(
                    "lambda_handler", PYTHONPYCACHEPREFIX=prefix, PYTHONDONTWRITEBYTECODE="1"
                )
            )
    return ColdImport(boto3_s, handler_s, no_bytecode, modules, median_tree(trees))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def chain(row: Imported, by_name: dict[str, Imported]) -> str:
    """Who imported the module, up to the first module of this project."""
    names: list[str] = []
    parent = row.parent
    while parent is not None and len(names) < 7:
        names.append(parent)
        if parent.startswith(PROJECT_IMPORTS):
            break
        parent = by_name[parent].parent if parent in by_name else None
    return " <- ".join(names)


def report_imports(result: ColdImport, runs: int) -> list[str]:
    boto3_med, boto3_min = statistics.median(result.boto3_s), min(result.boto3_s)
    handler_med, handler_min = statistics.median(result.handler_s), min(result.handler_s)
    cold_med, cold_min = (
        statistics.median(result.handler_no_bytecode_s),
        min(result.handler_no_bytecode_s),
    )
    print(f"== Cold import: {runs} fresh {Path(sys.executable).name} processes each, timed inside")
    print(f"{'':34}{'median':>10}{'min':>11}")
    print(f"  import boto3                    {ms(boto3_med)} {ms(boto3_min)}")
    print(f"  import lambda_handler           {ms(handler_med)} {ms(handler_min)}")
    print(f"  ... without the package's .pyc  {ms(cold_med)} {ms(cold_min)}")
    print(
        f"  ratio lambda_handler / boto3: {handler_med / boto3_med:.2f}x median, "
        f"{handler_min / boto3_min:.2f}x min (+{(handler_med - boto3_med) * 1000:.0f} ms)"
    )
    print(
        f"  ratio without the package's .pyc: {cold_med / boto3_med:.2f}x median "
        f"(+{(cold_med - boto3_med) * 1000:.0f} ms; only the standard library and boto3 "
        "precompiled, as in Lambda from a package without .pyc)"
    )

    root = result.tree[-1]
    by_name = {row.name: row for row in result.tree}
    print(
        f"\nTop 10 modules by cumulative import time under lambda_handler "
        f"(-X importtime, median of {min(runs, 3)}; lambda_handler itself "
        f"{root.cumulative_us / 1000:.1f} ms with the tracing overhead)"
    )
    print(f"  {'cumulative':>10} {'self':>8}  {'module':36} imported by")
    top = sorted(result.tree[:-1], key=lambda row: row.cumulative_us, reverse=True)[:10]
    for row in top:
        print(
            f"  {row.cumulative_us / 1000:7.1f} ms {row.self_us / 1000:5.1f} ms  "
            f"{row.name:36} {chain(row, by_name)}"
        )
    print(
        "\nTop 10 by self time (the module's own code: for ours, mostly pydantic building models)"
    )
    for row in sorted(result.tree[:-1], key=lambda row: row.self_us, reverse=True)[:10]:
        print(f"  {row.self_us / 1000:7.1f} ms  {row.name:36} {chain(row, by_name)}")
    by_package: dict[str, int] = defaultdict(int)
    for row in result.tree:
        top_name = row.name.split(".")[0]
        if top_name in RUNTIME_PROVIDED_IMPORTS:
            top_name = "boto3 + botocore + deps"
        by_package[top_name] += row.self_us
    print("\nSelf time by top-level package (first import only), largest first")
    for name, self_us in sorted(by_package.items(), key=lambda kv: kv[1], reverse=True)[:12]:
        print(f"  {self_us / 1000:7.1f} ms  {name}")

    print("\nMUST NOT be imported by `import lambda_handler`:")
    failed = []
    for name in MUST_NOT_IMPORT:
        imported = name in result.modules
        how = f"  (via {chain(by_name[name], by_name)})" if name in by_name else ""
        print(f"  {name:10} {'YES' if imported else 'no'}{how}")
        if imported:
            failed.append(name)
    print(f"  -> {'FAILED: ' + ', '.join(failed) if failed else 'ok'}")
    return failed


@dataclass
class Function:
    logical_id: str
    runtime: str
    arch: str
    code_uri: str
    build_method: str | None


def read_template() -> Function:
    """The function whose handler is lambda_handler.handler (regexes: the template has tags)."""
    text = (ROOT / "template.yaml").read_text()
    blocks = re.split(r"^  (?=\w+:\s*$)", text, flags=re.MULTILINE)
    functions = [b for b in blocks if "Type: AWS::Serverless::Function" in b]
    block = next((b for b in functions if "lambda_handler.handler" in b), functions[0])

    def first(key: str) -> str | None:
        match = re.search(rf"^\s+{key}:\s*\[?\s*([\w.\-/]+)", block, re.MULTILINE)
        return match.group(1) if match else None

    return Function(
        block.split(":")[0].strip(),
        first("Runtime") or "python3.12",
        first("Architectures") or "x86_64",
        first("CodeUri") or ".",
        first("BuildMethod"),
    )


def install_dependencies(deps: list[str], runtime: str, arch: str) -> Path:
    """The runtime dependencies for Lambda's platform, installed once per set and cached."""
    version = runtime.removeprefix("python")
    platform = "manylinux2014_aarch64" if arch == "arm64" else "manylinux2014_x86_64"
    key = hashlib.sha256(json.dumps([deps, version, platform]).encode()).hexdigest()[:12]
    target = CACHE / f"lambda-deps-{key}"
    done = CACHE / f"lambda-deps-{key}.done"
    if done.exists():
        print(f"  dependencies: cached in {target}")
        return target
    shutil.rmtree(target, ignore_errors=True)
    print(f"  dependencies: pip install --target {target} (once; reruns reuse it)", flush=True)
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(target), "--cache-dir", str(CACHE / "pip-cache"),
        # As sam build: wheels for the function's platform, unpacked without .pyc.
        "--platform", platform, "--implementation", "cp", "--python-version", version,
        "--only-binary=:all:", "--no-compile", *deps,
    ]  # fmt: skip
    installed = subprocess.run(command, capture_output=True, text=True, check=False)
    if installed.returncode != 0:
        sys.exit(f"pip install failed:\n{installed.stderr}")
    done.touch()
    return target


def module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def reached_from_handler() -> set[str]:
    """Project modules the handler's static import graph reaches, function-level imports and
    TYPE_CHECKING blocks included (so an over-estimate, never an under-estimate)."""
    seen: set[str] = set()
    todo = ["lambda_handler"]
    while todo:
        name = todo.pop()
        path = module_file(name)
        if name in seen or path is None:
            continue
        seen.add(name)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            for target in targets:
                parts = target.split(".")
                todo.extend(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return {name for name in seen if name.startswith("watchdog")}


def walk_files(top: Path, skip: set[Path] | None = None, pyc: bool = False) -> list[Path]:
    """Files under top, without bytecode caches unless pyc."""
    files: list[Path] = []
    for directory, dirs, names in os.walk(top):
        here = Path(directory)
        dirs[:] = sorted(
            d
            for d in dirs
            if (pyc or d != "__pycache__") and (skip is None or here / d not in skip)
        )
        files.extend(here / n for n in sorted(names) if pyc or not n.endswith(".pyc"))
    return files


def tree_size(top: Path) -> int:
    return sum(path.stat().st_size for path in walk_files(top))


def distributions(target: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Each top-level entry's distribution, and each distribution's importable names."""
    owner: dict[str, str] = {}
    imports: dict[str, set[str]] = defaultdict(set)
    for record in target.glob("*.dist-info/RECORD"):
        name = record.parent.name.split("-")[0].lower().replace("_", "-")
        for line in record.read_text().splitlines():
            top = line.split(",")[0].split("/")[0]
            if top and top != "..":
                owner[top] = name
                if not top.endswith((".dist-info", ".data", ".libs")):
                    imports[name].add(top.removesuffix(".py").split(".")[0])
    return owner, imports


def group_of(top: str, owner: dict[str, str]) -> str:
    return f"{top} (this project)" if top in PROJECT_TOPS else owner.get(top, top)


def from_directory(label: str, target: Path, skip: set[Path] | None = None) -> Package:
    """Every file under target, grouped by the distribution that installed it."""
    owner, imports = distributions(target)
    package = Package(label, group_imports=imports)
    package.group_imports["watchdog (this project)"] = {"watchdog"}
    for path in walk_files(target, skip, pyc=True):
        arcname = path.relative_to(target).as_posix()
        group = group_of(arcname.split("/")[0], owner)
        package.entries.append(Entry(path, arcname, group, group in RUNTIME_PROVIDED))
    return package


def reference_package(deps_dir: Path, skip_sandbox: bool) -> Package:
    """The runtime dependencies and the handler's code, nothing else."""
    # Console scripts (bin/): sam's own pip workflow makes none, and nothing runs them.
    package = from_directory("reference", deps_dir, {deps_dir / "bin"})
    skip = {ROOT / "watchdog" / "sandbox"} if skip_sandbox else set()
    code = [ROOT / "lambda_handler.py", *walk_files(ROOT / "watchdog", skip)]
    for path in [*code, *walk_files(ROOT / "policies")]:
        arcname = path.relative_to(ROOT).as_posix()
        package.entries.append(Entry(path, arcname, group_of(arcname.split("/")[0], {})))
    return package


def make_package(function: Function) -> Package | None:
    """What `sam build` ships with BuildMethod makefile: the Makefile's build-<LogicalId> target
    run in a copy of CodeUri (sam copies all but .git; caches, .venv and build/ are skipped
    here), with ARTIFACTS_DIR a directory kept under /tmp for a look."""
    target = f"build-{function.logical_id}"
    artifacts = CACHE / f"sam-{target}"
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    ignore = shutil.ignore_patterns(
        ".aws-sam", ".git", ".venv", "__pycache__", "*_cache", ".hypothesis", "build", "*.egg-info"
    )
    print(f"  sam build: make {target} ARTIFACTS_DIR={artifacts}", flush=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as scratch:
        source = Path(scratch) / "source"
        shutil.copytree(ROOT / function.code_uri, source, ignore=ignore)
        env = child_env(PIP_CACHE_DIR=str(CACHE / "pip-cache"))
        env["PYTHONDONTWRITEBYTECODE"] = os.environ.get("PYTHONDONTWRITEBYTECODE", "")
        made = subprocess.run(
            ["make", target, f"ARTIFACTS_DIR={artifacts}"],
            cwd=source,
            env={k: v for k, v in env.items() if v},
            capture_output=True,
            text=True,
            check=False,
        )
    if made.returncode != 0:
        tail = "\n    ".join((made.stdout + made.stderr).strip().splitlines()[-8:])
        print(f"  make {target} FAILED ({made.returncode}):\n    {tail}")
        return None
    return from_directory("sam build", artifacts)


def zipped_size(entries: list[Entry]) -> int:
    with tempfile.TemporaryFile(dir=CACHE) as handle:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry in entries:
                archive.write(entry.path, entry.arcname)
        return handle.tell()


def mib(size: int) -> str:
    return f"{size / MIB:7.2f} MiB"


def as_template_stands(code_uri: Path) -> tuple[int, int]:
    """Files and bytes `sam build` copies from CodeUri today (no requirements.txt there)."""
    count = size = 0
    for directory, dirs, names in os.walk(code_uri):
        dirs[:] = [d for d in dirs if not any(fnmatch.fnmatch(d, p) for p in SAM_EXCLUDES)]
        for name in names:
            if not any(fnmatch.fnmatch(name, p) for p in SAM_EXCLUDES):
                count += 1
                size += (Path(directory) / name).stat().st_size
    return count, size


def size_rows(package: Package) -> None:
    without = [e for e in package.entries if not e.runtime_provided]
    for suffix, entries in (("", package.entries), (" without boto3 & co", without)):
        unzipped = sum(e.path.stat().st_size for e in entries)
        zipped = zipped_size(entries)
        print(
            f"  {package.label + suffix:30}{len(entries):6}{mib(unzipped):>13}{mib(zipped):>13}"
            f"{mib(ZIPPED_LIMIT - zipped):>13}{mib(UNZIPPED_LIMIT - unzipped):>14}"
        )


def sizes_by_group(package: Package) -> dict[str, int]:
    by_group: dict[str, int] = defaultdict(int)
    for entry in package.entries:
        by_group[entry.group] += entry.path.stat().st_size
    return by_group


def report_contents(package: Package, reference: Package, imports: ColdImport | None) -> None:
    by_group = sizes_by_group(package)
    print(f"\n  {package.label}: 10 largest top-level packages (unzipped)")
    for group, size in sorted(by_group.items(), key=lambda kv: kv[1], reverse=True)[:10]:
        names = ", ".join(sorted(package.group_imports.get(group, set())))
        print(f"  {mib(size)}  {group:28} {names}")
    if package is not reference:
        theirs = sizes_by_group(reference)
        differ = [
            f"{group} {(size - theirs.get(group, 0)) / 1024:+.0f} KiB"
            for group, size in sorted(by_group.items())
            if abs(size - theirs.get(group, 0)) >= 1024
        ]
        differ += [f"{group} missing" for group in sorted(set(theirs) - set(by_group))]
        print(f"  against the reference: {', '.join(differ) or 'the same'}")
        sandbox = [e for e in package.entries if e.arcname.startswith("watchdog/sandbox/")]
        if sandbox:
            size = sum(e.path.stat().st_size for e in sandbox)
            print(
                f"  watchdog/sandbox is in it: {len(sandbox)} files, {size / 1024:.0f} KiB, "
                "never imported by the handler"
            )
    tags = Counter(
        e.arcname.rsplit("/", 1)[-1].split(".")[1]
        for e in package.entries
        if e.arcname.endswith(".pyc")
    )
    if tags:
        listed = ", ".join(f"{tag}: {count}" for tag, count in tags.most_common())
        print(f"  .pyc files: {listed} (Lambda reads only its own version's)")
    else:
        print("  .pyc files: none, so a cold start compiles every module it imports from it")
    tops = {e.arcname.split("/")[0].removesuffix(".py") for e in package.entries}
    if imports is not None:
        imported = {name.split(".")[0] for name in imports.modules}
        dead = [
            f"{group} ({size / 1024:.0f} KiB)"
            for group, size in sorted(by_group.items())
            if group in package.group_imports
            and not package.group_imports[group] & imported
            and group not in RUNTIME_PROVIDED
        ]
        if dead:
            print(f"  shipped but not imported by `import lambda_handler`: {', '.join(dead)}")
        in_venv = {
            row.name.split(".")[0]
            for row in imports.tree
            if "site-packages" in (imports.modules.get(row.name) or "")
        }
        if in_venv - tops:
            print(
                "  imported in .venv but not in the package (optional imports Lambda skips, so "
                f"the cold import above overstates them): {', '.join(sorted(in_venv - tops))}"
            )


def must_not_ship(packages: list[Package]) -> list[str]:
    print(f"\n  MUST NOT be in the package: {' | '.join(p.label for p in packages)}")
    failed = []
    for dist, import_names in MUST_NOT_SHIP.items():
        found = []
        for package in packages:
            groups = {e.group for e in package.entries}
            tops = {e.arcname.split("/")[0].removesuffix(".py") for e in package.entries}
            found.append(dist in groups or bool(tops & set(import_names)))
        print(f"  {dist:12} {' | '.join('YES' if f else 'no' for f in found)}")
        if any(found):
            failed.append(dist)
    print(f"  -> {'FAILED: ' + ', '.join(failed) if failed else 'ok'}")
    return failed


def report_package(imports: ColdImport | None) -> list[str]:
    function = read_template()
    print(
        f"\n== Deployment package: template.yaml {function.logical_id} ({function.runtime}, "
        f"{function.arch}, CodeUri {function.code_uri}, "
        f"BuildMethod {function.build_method or 'default (pip)'})"
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    reached = reached_from_handler()
    sandbox_reached = any(name.startswith("watchdog.sandbox") for name in reached)
    print(
        "  watchdog.sandbox reached by lambda_handler's import graph: "
        f"{'YES' if sandbox_reached else 'no'}"
    )
    subpackages = {p.parent.name for p in (ROOT / "watchdog").glob("*/__init__.py")}
    unreached = sorted(subpackages - {name.split(".")[1] for name in reached if "." in name})
    if unreached:
        listed = ", ".join(
            f"watchdog/{name} ({tree_size(ROOT / 'watchdog' / name) / 1024:.0f} KiB)"
            for name in unreached
        )
        print(f"  never reached from lambda_handler: {listed}")

    packages: list[Package] = []
    if function.build_method == "makefile":
        built = make_package(function)
        if built is not None:
            packages.append(built)
    elif not (ROOT / function.code_uri / "requirements.txt").exists():
        count, size = as_template_stands(ROOT / function.code_uri)
        print(
            f"  NOTE: no requirements.txt in CodeUri: `sam build` copies it as is ({count} files, "
            f"{size / MIB:.2f} MiB: tests, bench and all) and installs no dependencies, so the "
            "handler's import of pydantic/structlog fails."
        )
    deps: list[str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    deps_dir = install_dependencies(deps, function.runtime, function.arch)
    reference = reference_package(deps_dir, skip_sandbox=not sandbox_reached)
    packages.append(reference)
    print(
        "  reference: pyproject's runtime dependencies (no extras) as Lambda wheels, "
        "lambda_handler.py, watchdog/"
        f"{'' if sandbox_reached else ' without sandbox/'} and policies/, no .pyc"
    )

    print(
        f"\n  {'':30}{'files':>6}{'unzipped':>13}{'zipped':>13}{'zip margin':>13}"
        f"{'unzip margin':>14}"
    )
    for package in packages:
        size_rows(package)
    print(
        f"  Lambda limits: {ZIPPED_LIMIT // MIB} MiB zipped (direct upload), "
        f"{UNZIPPED_LIMIT // MIB} MiB unzipped. boto3 & co (in the runtime already): "
        f"{', '.join(sorted(RUNTIME_PROVIDED))}"
    )
    report_contents(packages[0], reference, imports)
    return must_not_ship(packages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per import")
    parser.add_argument("--skip-package", action="store_true", help="only the cold import")
    parser.add_argument("--strict", action="store_true", help="exit 1 if a MUST-NOT check fails")
    args = parser.parse_args()
    result = measure_imports(args.runs)
    failed = report_imports(result, args.runs)
    if not args.skip_package:
        failed += report_package(result)
    if failed and args.strict:
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Lambda benchmark: the deployment package exactly as `sam build` makes it (the Makefile's
build-<LogicalId> target, bench/lambda_package.py), and the cold import of its handler.

Cold import: fresh processes of the runtime's own Python (the one the Makefile compiles the
package with), run as Lambda runs them: in the package directory with nothing else on the path
but the standard library (-S, -E) and nothing written (-B: /var/task is read-only), so the
package's own bytecode is what is read. Each process times one `import boto3` (the package's
pinned boto3) or one `import lambda_handler`, inside the child, wall clock and CPU time; the
two alternate, after a warm-up of each. Prints the median and min of both and their ratio;
beside them the import of the libraries the handler needs at init anyway (LIBRARIES), a floor
under the ratio no change to this project's code goes below; the ten modules under
lambda_handler with the largest cumulative time (-X importtime); and checks that the handler's
import loads none of MUST_NOT_IMPORT and reads bytecode for every module it loads.

Exits 1 when a check fails: the CPU-time ratio of the medians above --max-ratio (1.5), a .py in
the package without unchecked-hash bytecode for the runtime, a module imported without it,
something imported or shipped that must not be. CPU time decides, not wall clock: on a shared
machine it is the steadier of the two, and an import does no I/O the page cache does not hold.

    python bench/lambda_cold.py [--runs 9] [--max-ratio 1.5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass

# bench/ is on the path when this script runs.
from lambda_package import Package, build, child_env, read_template, report

MUST_NOT_IMPORT = ("moto", "pytest", "rich", "click", "apscheduler", "waitress", "slack_sdk")
# The libraries the handler's scheduled path imports at init whatever this project does: boto3
# with these costs a floor under the ratio, timed beside the two imports, as the handler imports
# them (with the garbage collector off).
LIBRARIES = "boto3, pydantic, pydantic_settings, structlog, yaml"
IMPORTS = {
    "boto3": "import boto3",
    "lambda_handler": "import lambda_handler",
    LIBRARIES: f"import gc; gc.disable(); import {LIBRARIES}",
}
PROJECT = ("lambda_handler", "watchdog")
IMPORTTIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S.*)$")
TIMED = """\
import time
wall, cpu = time.perf_counter(), time.process_time()
{code}
print(time.perf_counter() - wall, time.process_time() - cpu)
"""
# What the handler's import loaded, and whether each of the package's modules had bytecode.
LOADED = """\
import json, os, sys
import lambda_handler
here = os.getcwd()
print(json.dumps({
    name: os.path.isfile(module.__spec__.cached)
    if getattr(module, "__spec__", None) and module.__spec__.cached
    and (module.__spec__.origin or "").startswith(here) else None
    for name, module in list(sys.modules.items())
}))
"""


@dataclass
class Times:
    wall: list[float]
    cpu: list[float]


def run(package: Package, code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [package.python, "-S", "-E", "-B", *flags, "-c", code],
        cwd=package.root,
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"the runtime's Python failed in {package.root}:\n{done.stderr}")
    return done


def time_imports(package: Package, runs: int) -> dict[str, Times]:
    times = {name: Times([], []) for name in IMPORTS}
    for warm_up in (True, *([False] * runs)):
        for name, into in times.items():
            wall, cpu = map(float, run(package, TIMED.format(code=IMPORTS[name])).stdout.split())
            if not warm_up:
                into.wall.append(wall)
                into.cpu.append(cpu)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report_times(times: dict[str, Times], runs: int) -> float:
    boto3, handler = times["boto3"], times["lambda_handler"]
    print(f"\n== Cold import: {runs} fresh processes each, alternating, timed inside the child")
    print(f"  {'':24}{'wall median':>12}{'wall min':>11}{'CPU median':>12}{'CPU min':>11}")
    rows = (("import boto3", boto3), ("import lambda_handler", handler))
    for name, t in (*rows, ("libraries alone (*)", times[LIBRARIES])):
        print(
            f"  {name:24}{ms(statistics.median(t.wall)):>12}{ms(min(t.wall)):>11}"
            f"{ms(statistics.median(t.cpu)):>12}{ms(min(t.cpu)):>11}"
        )
    wall_ratio = statistics.median(handler.wall) / statistics.median(boto3.wall)
    cpu_ratio = statistics.median(handler.cpu) / statistics.median(boto3.cpu)
    floor = statistics.median(times[LIBRARIES].cpu) / statistics.median(boto3.cpu)
    print(f"  ratio lambda_handler / boto3 (medians): {cpu_ratio:.2f}x CPU, {wall_ratio:.2f}x wall")
    print(f"  (*) {IMPORTS[LIBRARIES]}: {floor:.2f}x boto3 (CPU), a floor under that ratio")
    return cpu_ratio


def import_tree(package: Package) -> list[tuple[str, int, int, str | None]]:
    """(module, self us, cumulative us, parent) under lambda_handler, median of three runs."""
    runs: list[dict[str, tuple[int, int, str | None]]] = []
    for _ in range(3):
        stderr = run(package, "import lambda_handler", "-X", "importtime").stderr
        rows = []
        for line in stderr.splitlines():
            match = IMPORTTIME.match(line)
            if match:
                own, cumulative, indent, name = match.groups()
                rows.append((name, int(own), int(cumulative), len(indent) // 2))
        # A module is printed after what it imported, one level less indented.
        above: dict[int, str] = {}
        parsed = {}
        for name, own, cumulative, depth in reversed(rows):
            parsed[name] = (own, cumulative, above.get(depth - 1) if depth else None)
            above[depth] = name
        runs.append(parsed)
    names = set.intersection(*(set(r) for r in runs))
    return [
        (
            name,
            int(statistics.median(r[name][0] for r in runs)),
            int(statistics.median(r[name][1] for r in runs)),
            runs[0][name][2],
        )
        for name in names
    ]


def report_tree(package: Package) -> None:
    tree = import_tree(package)
    parents = {name: parent for name, _, _, parent in tree}

    def chain(name: str) -> str:
        names, parent = [], parents.get(name)
        while parent is not None and len(names) < 5:
            names.append(parent)
            if parent.startswith(PROJECT):
                break
            parent = parents.get(parent)
        return " <- ".join(names)

    rows = [row for row in tree if row[0] != "lambda_handler"]
    print(
        "\n  10 largest cumulative import times under lambda_handler (-X importtime, median of 3)"
    )
    for name, own, cumulative, _ in sorted(rows, key=lambda r: r[2], reverse=True)[:10]:
        print(f"  {cumulative / 1000:7.1f} ms {own / 1000:6.1f} ms self  {name:34} {chain(name)}")
    ours = sum(own for name, own, _, _ in rows if name.startswith(PROJECT))
    print(f"  this project's own modules (self time, mostly pydantic models): {ours / 1000:.1f} ms")


def check_loaded(package: Package) -> list[str]:
    loaded: dict[str, bool | None] = json.loads(run(package, LOADED).stdout)
    forbidden = [
        bad for bad in MUST_NOT_IMPORT if any(n == bad or n.startswith(bad + ".") for n in loaded)
    ]
    compiled = [name for name, has in loaded.items() if has is not None]
    uncompiled = sorted(name for name, has in loaded.items() if has is False)
    print(
        f"\n  `import lambda_handler` loads {len(loaded)} modules, {len(compiled)} from the package"
    )
    print(f"  ... of those, without bytecode: {', '.join(uncompiled[:5]) or 'none'}")
    print(f"  MUST NOT be imported ({', '.join(MUST_NOT_IMPORT)}): {', '.join(forbidden) or 'ok'}")
    failed = [f"imports {name}" for name in forbidden]
    return failed + (["imported without bytecode"] if uncompiled else [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh processes per import")
    parser.add_argument("--max-ratio", type=float, default=1.5, help="lambda_handler / boto3")
    args = parser.parse_args()
    function = read_template()
    print(
        f"== Deployment package: template.yaml {function.logical_id} "
        f"({function.runtime}, {function.arch})"
    )
    package = build(function)
    if isinstance(package, str):
        sys.exit(f"  FAILED: {package}")
    failed, figures = report(package)
    failed += check_loaded(package)
    ratio = report_times(time_imports(package, args.runs), args.runs)
    report_tree(package)
    if ratio > args.max_ratio:
        failed.append(f"import ratio {ratio:.2f}x > {args.max_ratio}x")
    print(
        f"\n== {figures['unzipped_mib']:.1f} MiB unzipped, {figures['files']} files, "
        f"import ratio {ratio:.2f}x (CPU), bytecode {'no' if 'bytecode' in failed else 'yes'}"
    )
    if failed:
        sys.exit(f"FAILED: {'; '.join(failed)}")
    print("ok")


if __name__ == "__main__":
    main()

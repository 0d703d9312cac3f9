"""Take what the Lambda function never imports out of a `pip install --target` directory.

    python deploy/prune_lambda_package.py TARGET --dist NAME... --path RELPATH...

--dist removes an installed distribution the way pip would: every file its RECORD lists, then
its .dist-info. Its own requirements go with it when nothing that stays requires them (the
project's dist-info counts as staying, so a dependency the project names itself is kept);
requirements that only an extra asks for are ignored. --path removes a file or directory of
the project (watchdog/cli, ...) and drops it from the project's RECORD, so the metadata that
stays describes only what is shipped. Prints what it removed; exits 1 on an unknown name.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
EXTRA = re.compile(r"\bextra\s*==")


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed(target: Path) -> dict[str, Path]:
    """Each distribution's normalized name: its .dist-info directory."""
    found: dict[str, Path] = {}
    for info in target.glob("*.dist-info"):
        for line in (info / "METADATA").read_text(encoding="utf-8").splitlines():
            if line.startswith("Name:"):
                found[normalize(line.removeprefix("Name:").strip())] = info
                break
    return found


def requirements(info: Path) -> set[str]:
    """The distributions this one requires outside its extras."""
    needed = set()
    for line in (info / "METADATA").read_text(encoding="utf-8").splitlines():
        if line.startswith("Requires-Dist:"):
            spec = line.removeprefix("Requires-Dist:").strip()
            match = REQUIREMENT.match(spec)
            if match and not EXTRA.search(spec.partition(";")[2]):
                needed.add(normalize(match.group(1)))
    return needed


def closure(dists: dict[str, Path], named: set[str]) -> set[str]:
    """The named distributions, and their requirements nothing that stays requires."""
    removed = set(named)
    while True:
        staying = {name: requirements(info) for name, info in dists.items() if name not in removed}
        still_needed = set().union(*staying.values())
        orphans = {
            dep
            for name in removed
            for dep in requirements(dists[name])
            if dep in dists and dep not in removed and dep not in still_needed
        }
        if not orphans:
            return removed
        removed |= orphans


def remove_distribution(target: Path, info: Path) -> int:
    """Every file the RECORD lists inside target, empty directories left behind, the
    .dist-info itself. Returns the number of files removed."""
    count = 0
    directories: set[Path] = set()
    for line in (info / "RECORD").read_text(encoding="utf-8").splitlines():
        relative = line.rsplit(",", 2)[0]
        path = (target / relative).resolve()
        if relative and path.is_relative_to(target) and path.is_file():
            path.unlink()
            count += 1
            directories.update(p for p in path.parents if p.is_relative_to(target) and p != target)
    for directory in sorted(directories, key=lambda p: len(p.parts), reverse=True):
        if directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    shutil.rmtree(info, ignore_errors=True)
    return count


def remove_project_paths(target: Path, info: Path, paths: list[str]) -> None:
    for relative in paths:
        path = target / relative
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    record = info / "RECORD"
    prefixes = tuple(p.rstrip("/") + "/" for p in paths)
    kept = [
        line
        for line in record.read_text(encoding="utf-8").splitlines()
        if not line.startswith(prefixes) and line.rsplit(",", 2)[0] not in paths
    ]
    record.write_text("\n".join(kept) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", type=Path)
    parser.add_argument("--project", default="ai-cost-watchdog")
    parser.add_argument("--dist", nargs="*", default=[], help="distributions to remove")
    parser.add_argument("--path", nargs="*", default=[], help="project paths to remove")
    args = parser.parse_args()
    target: Path = args.target.resolve()
    dists = installed(target)
    named = {normalize(name) for name in args.dist}
    unknown = named - set(dists)
    if unknown or normalize(args.project) not in dists:
        sys.exit(f"not installed in {target}: {', '.join(sorted(unknown)) or args.project}")
    for name in sorted(closure(dists, named)):
        count = remove_distribution(target, dists[name])
        print(f"removed {name} ({count} files{'' if name in named else ', required only by it'})")
    remove_project_paths(target, dists[normalize(args.project)], args.path)
    print(f"removed {', '.join(args.path) or 'no project paths'}")


if __name__ == "__main__":
    main()

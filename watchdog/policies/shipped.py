"""The shipped policies as files a person can read and copy: they are package data in an
installed wheel (`watchdog/shipped_policies`), which nobody should have to dig out of
site-packages to start their own policy directory."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from watchdog.policies.load import POLICY_SUFFIXES, default_policies_dir

# The README that explains them travels with them.
EXPORTED_SUFFIXES = (*POLICY_SUFFIXES, ".md")


class ShippedError(Exception):
    """The request cannot be met; the message says why in one line."""


@dataclass(frozen=True)
class ShippedPolicy:
    name: str
    file: str
    resource: tuple[str, ...]
    action: str
    description: str
    raw: dict[str, Any]


def shipped_files() -> list[Path]:
    folder = default_policies_dir()
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in EXPORTED_SUFFIXES)


def shipped_policies() -> list[ShippedPolicy]:
    """Every shipped policy, in file order."""
    found = []
    for file in shipped_files():
        if file.suffix not in POLICY_SUFFIXES:
            continue
        document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        for raw in document.get("policies", []):
            resource = raw.get("resource", [])
            found.append(
                ShippedPolicy(
                    name=str(raw["name"]),
                    file=file.name,
                    resource=tuple([resource] if isinstance(resource, str) else resource),
                    action=str(raw.get("action", "")),
                    description=" ".join(str(raw.get("description", "")).split()),
                    raw=raw,
                )
            )
    return found


def policy_text(name: str) -> str:
    """One shipped policy (by policy name) as a policy file of its own, or a whole shipped
    file (by file name, with or without its suffix) as it is, comments and all."""
    for file in shipped_files():
        if name in (file.name, file.stem):
            return file.read_text(encoding="utf-8")
    for policy in shipped_policies():
        if policy.name == name:
            body = yaml.safe_dump({"policies": [policy.raw]}, sort_keys=False, width=96)
            return f"# {policy.name}, from the shipped {policy.file}\n{body}"
    known = ", ".join(p.name for p in shipped_policies())
    raise ShippedError(f"no shipped policy or policy file named {name!r}; there are: {known}")


def export_shipped(destination: Path, force: bool = False) -> list[Path]:
    """Copy the shipped files into `destination` (made if missing). Nothing is copied when
    any of them exists there already, unless `force`: a person's edits are not overwritten
    by accident, and a half-done export never mixes their files with ours."""
    if destination.exists() and not destination.is_dir():
        raise ShippedError(f"{destination} is not a directory")
    sources = shipped_files()
    targets = [destination / source.name for source in sources]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise ShippedError(
            f"{existing[0]} exists{more}: nothing was copied; pass --force to overwrite"
        )
    destination.mkdir(parents=True, exist_ok=True)
    for source, target in zip(sources, targets, strict=True):
        shutil.copyfile(source, target)
    return targets

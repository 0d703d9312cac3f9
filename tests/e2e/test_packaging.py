"""What `pip install ai-cost-watchdog` gets: the wheel carries the shipped policies, so the
defaults work away from a source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from watchdog.policies import load_policies

ROOT = Path(__file__).resolve().parents[2]


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

"""`audit` and `findings` read a store whose folder cannot be written (issue #13, 9): the
SQLite file is opened read-only instead of failing on WAL's side files and the schema check."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.functional.test_cli_approve import store_with_findings
from watchdog.cli.main import cli
from watchdog.store import open as store_open
from watchdog.store.base import StoreUnavailable


def test_an_unwritable_folder_opens_the_store_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_with_findings(tmp_path / "w.db")
    monkeypatch.setattr(store_open.os, "access", lambda path, mode: False)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    findings = CliRunner().invoke(cli, ["findings", "--store", url])
    audit = CliRunner().invoke(cli, ["audit", "--store", url])

    assert findings.exit_code == 0, findings.output
    assert "f-1" in findings.output
    assert audit.exit_code == 0 and "The audit log is empty" in audit.output
    read_only = store_open.open_store(url, read_only=True)
    with pytest.raises(StoreUnavailable, match="readonly"):
        read_only.set_finding_state("f-1", "done", "", datetime.now(UTC))


UNSHARE = shutil.which("unshare")
IN_READ_ONLY_MOUNT = """
mkdir -p {mnt} && mount --bind {src} {mnt} && mount -o remount,bind,ro {mnt} &&
{python} -m watchdog audit --store sqlite://{mnt}/w.db &&
{python} -m watchdog findings --store sqlite://{mnt}/w.db
"""


@pytest.mark.skipif(UNSHARE is None, reason="needs unshare(1) for a read-only bind mount")
def test_on_a_real_read_only_file_system(tmp_path: Path) -> None:
    src, mnt = tmp_path / "src", tmp_path / "mnt"
    src.mkdir()
    store_with_findings(src / "w.db")
    script = IN_READ_ONLY_MOUNT.format(src=src, mnt=mnt, python=sys.executable)
    probe = subprocess.run([UNSHARE or "", "-rm", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("user and mount namespaces are not available here")

    done = subprocess.run(
        [UNSHARE or "", "-rm", "sh", "-c", script],
        capture_output=True,
        text=True,
        check=False,
        env=os.environ | {"WATCHDOG_LOG_FORMAT": "console"},
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "The audit log is empty" in done.stdout
    assert "f-1" in done.stdout

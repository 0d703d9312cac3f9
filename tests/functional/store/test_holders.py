"""A claim's holder: a process of this host that is gone is told from one that is alive, one
on another host, and a process id reused by someone else."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from watchdog.store.holders import is_gone, this_process


def holder_of(process: subprocess.Popen[bytes]) -> str:
    ticks = Path(f"/proc/{process.pid}/stat").read_text().rpartition(")")[2].split()[19]
    return f"{socket.gethostname()}:{process.pid}:{ticks}"


def test_a_killed_process_is_gone() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        holder = holder_of(child)
        assert not is_gone(holder)
        child.kill()
        child.wait()
        assert is_gone(holder)
    finally:
        child.kill()


def test_this_process_is_alive_and_others_are_never_declared_gone() -> None:
    assert not is_gone(this_process())
    assert not is_gone("another-host:1:1")
    assert not is_gone("")  # claims made before holders were kept
    assert not is_gone("no-pid-here")


def test_a_process_id_reused_by_another_process_is_gone() -> None:
    own_pid = this_process().split(":")[1]
    assert is_gone(f"{socket.gethostname()}:{own_pid}:1")

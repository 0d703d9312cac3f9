"""Who holds a step claim: this host, this process id and the process's start time.

A claim's lease protects a step from a second run on another machine, which cannot know
whether the first is still working. On the same host it can: a run whose process is gone
(`kill -9`, a crash, a reboot) holds nothing, and the next run may take its steps over at
once instead of waiting out the lease. The start time tells a reused process id from the
original holder; where it cannot be read (not Linux), the process id alone decides.
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) from /proc (Linux); None: gone or
    unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields 3 and 22, counted after the command name, which is in parentheses and may hold
    # spaces.
    fields = stat.rpartition(")")[2].split()
    return (fields[0], fields[19]) if len(fields) > 19 else None


@functools.cache
def this_process() -> str:
    """`host:pid:start`, the holder written with this process's claims."""
    pid = os.getpid()
    stat = _stat(pid)
    return f"{socket.gethostname()}:{pid}:{stat[1] if stat else ''}"


def is_gone(holder: str) -> bool:
    """True only when `holder` is a process of this host that no longer runs (or is a zombie
    left for its parent to reap). A holder on another host, or one that cannot be parsed, is
    never declared gone."""
    parts = holder.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    host, pid_text, started = parts
    if host != socket.gethostname():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, under another user
    stat = _stat(pid)
    if stat is None or not started:
        return False  # no /proc to tell a reused process id by: alive, to be safe
    state, ticks = stat
    return state == "Z" or ticks != started

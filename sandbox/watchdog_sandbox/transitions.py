"""Deterministic asynchronous status changes for the sandbox's emulated resources.

AWS finishes many operations after the call returns: `DeleteApp` leaves the app `Deleting` and it
turns `Deleted` minutes later. moto applies everything at once, so code that has to poll and
wait would never be exercised. An `AsyncStatus` holds a resource in an interim status until BOTH
a number of observations (Describe/List reads of that resource) AND a number of seconds have
passed, then moves it to its final status (or makes it vanish).

Counting reads keeps tests fast and repeatable (no sleeping); the seconds floor lets a demo look
realistic. Defaults come from environment variables, so a separate `moto_server` process can be
tuned too; `configure()` overrides them in-process:

    WATCHDOG_SANDBOX_ASYNC_READS    reads that still see the interim status (default 2)
    WATCHDOG_SANDBOX_ASYNC_SECONDS  minimum seconds in the interim status (default 0)

Settings are captured when a transition begins, so changing them never alters one in flight.
Nothing here is SageMaker-specific: any sandbox addition may use it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

READS_ENV = "WATCHDOG_SANDBOX_ASYNC_READS"
SECONDS_ENV = "WATCHDOG_SANDBOX_ASYNC_SECONDS"
DEFAULT_READS = 2
DEFAULT_SECONDS = 0.0

Clock = Callable[[], float]


@dataclass(frozen=True)
class TransitionSettings:
    """How long an interim status lasts: at least `reads` observations and `seconds`."""

    reads: int
    seconds: float

    def __post_init__(self) -> None:
        if self.reads < 0 or self.seconds < 0:
            raise ValueError(f"transition reads and seconds must be >= 0, got {self}")


# One lock for the module: transitions are tiny and a moto server handles requests in threads.
_lock = threading.RLock()
_overrides: dict[str, float] = {}
_clock: Clock = time.monotonic


def configure(
    *, reads: int | None = None, seconds: float | None = None, clock: Clock | None = None
) -> None:
    """Override the environment defaults in this process (None leaves a value as it is)."""
    global _clock
    with _lock:
        if reads is not None:
            TransitionSettings(reads=reads, seconds=0)
            _overrides["reads"] = reads
        if seconds is not None:
            TransitionSettings(reads=0, seconds=seconds)
            _overrides["seconds"] = seconds
        if clock is not None:
            _clock = clock


def reset() -> None:
    """Forget every `configure()` override: back to the environment and the real clock."""
    global _clock
    with _lock:
        _overrides.clear()
        _clock = time.monotonic


def current_settings() -> TransitionSettings:
    """The settings a transition beginning now would get."""
    with _lock:
        reads = _overrides.get("reads")
        seconds = _overrides.get("seconds")
    if reads is None:
        reads = int(os.environ.get(READS_ENV, DEFAULT_READS))
    if seconds is None:
        seconds = float(os.environ.get(SECONDS_ENV, DEFAULT_SECONDS))
    return TransitionSettings(reads=int(reads), seconds=float(seconds))


@contextmanager
def overridden(*, reads: int | None = None, seconds: float | None = None) -> Iterator[None]:
    """Apply overrides for the duration of a `with` block, then restore the previous ones."""
    with _lock:
        saved = dict(_overrides)
    configure(reads=reads, seconds=seconds)
    try:
        yield
    finally:
        with _lock:
            _overrides.clear()
            _overrides.update(saved)


class AsyncStatus:
    """A resource's status, possibly on its way to another one.

    `begin("Deleting", "Deleted")` shows `Deleting` to the next `reads` observations and until
    `seconds` have passed, then `Deleted`. A final status of None means the resource vanishes
    (`peek()`/`observe()` then return None and the owner drops it).
    """

    def __init__(self, status: str) -> None:
        self._status: str | None = status
        self._pending = False
        self._final: str | None = None
        self._reads_left = 0
        self._due = 0.0

    def begin(self, interim: str, final: str | None) -> None:
        """Enter `interim` now; reach `final` (None: vanish) once the settings are satisfied."""
        settings = current_settings()
        with _lock:
            self._status = interim
            self._final = final
            self._pending = True
            self._reads_left = settings.reads
            self._due = _clock() + settings.seconds

    def set(self, status: str) -> None:
        """Change the status at once, cancelling any transition in flight."""
        with _lock:
            self._status = status
            self._pending = False

    def observe(self) -> str | None:
        """A client read (Describe/List): counts towards the transition, returns the status."""
        with _lock:
            self._settle()
            if self._pending and self._reads_left > 0:
                self._reads_left -= 1
            return self._status

    def peek(self) -> str | None:
        """The status without counting a read (for the emulator's own checks)."""
        with _lock:
            self._settle()
            return self._status

    @property
    def in_transition(self) -> bool:
        with _lock:
            self._settle()
            return self._pending

    def _settle(self) -> None:
        if self._pending and self._reads_left == 0 and _clock() >= self._due:
            self._status = self._final
            self._pending = False

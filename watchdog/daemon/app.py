"""The daemon: scheduled cycles, the HTTP routes, a worker for what clicks start, Socket Mode
when an app token is set, and an orderly stop.

One thing acts at a time: in this process a lock, across daemons sharing a store the store's
lock (`daemon-cycle`), held for at most `daemon_lock_minutes`; a cycle's deadline ends before
the lock lapses, so two daemons never act at once. SIGTERM stops starting steps, parks those
in flight (the next start resumes them), and exits.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import structlog
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from watchdog.act import FindingOutcome
from watchdog.act.parking import ParkingTotal
from watchdog.approvals.http import Response
from watchdog.daemon.health import Health
from watchdog.daemon.http import HttpServer
from watchdog.daemon.metrics import Metrics
from watchdog.daemon.schedule import digest_trigger, trigger_from
from watchdog.daemon.socket_mode import connect_socket_mode
from watchdog.policies.load import PolicyError
from watchdog.service.clicks import answer_payload
from watchdog.service.context import Service
from watchdog.service.cycle import run_cycle
from watchdog.service.digest import send_digest
from watchdog.service.parking import run_parking
from watchdog.service.routes import Request, route
from watchdog.service.work import Work, perform
from watchdog.store import holders

log = structlog.get_logger(__name__)

LOCK = "daemon-cycle"
# The cycle's deadline comes this long before its lock runs out.
LOCK_MARGIN = timedelta(seconds=60)
# How long an approved teardown waits for another daemon's cycle to let go of the lock.
WORK_PATIENCE_S = 120.0
LOCK_RETRY_S = 2.0
# The newest audit entries /metrics totals parking over: years of nightly parks of a fleet.
PARKING_AUDIT_LIMIT = 100_000


SIGNAL_POLL_S = 0.2


class Daemon:
    def __init__(self, service: Service, owner: str | None = None) -> None:
        settings = service.settings
        self.service = service
        self.trigger = trigger_from(settings.daemon_schedule, settings.daemon_timezone)
        self.digest_trigger = digest_trigger(settings.digest_schedule, settings.daemon_timezone)
        # host:pid:start, so a restart on this host can tell a dead holder of the lock.
        self.owner = owner or holders.this_process()
        self.metrics = Metrics()
        self.health = Health(
            self.trigger,
            started_at=service.clock.now(),
            max_failures=settings.daemon_max_failed_cycles,
            allowance=timedelta(minutes=settings.daemon_lock_minutes),
        )
        self.stopping = threading.Event()
        self._acting = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="watchdog-work")
        self._scheduler = BackgroundScheduler(
            timezone=settings.daemon_timezone,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self._server = HttpServer(
            settings.daemon_host,
            settings.daemon_port,
            self.handle,
            timeout_s=settings.daemon_http_timeout,
            max_connections=settings.daemon_max_connections,
        )
        self._socket: Any = None
        self._started = False

    @property
    def port(self) -> int:
        return self._server.port

    def start(self) -> None:
        first = self.service.clock.now() if self.service.settings.daemon_run_on_start else None
        self._scheduler.add_job(self.cycle, self.trigger, id="cycle", next_run_time=first)
        # Park schedules between cycles: their times are met within this many minutes.
        every = IntervalTrigger(minutes=self.service.settings.parking_minutes)
        self._scheduler.add_job(self.parking, every, id="parking")
        if self.digest_trigger is not None:
            self._scheduler.add_job(self.digest, self.digest_trigger, id="digest")
        self._scheduler.start()
        self._started = True
        threading.Thread(
            target=self._server.serve_forever, name="watchdog-http", daemon=True
        ).start()
        token = self.service.settings.slack_app_token
        if token is not None:
            self._socket = connect_socket_mode(
                token.get_secret_value(), self.service.settings.slack_api_url, self._socket_click
            )
        job = self._scheduler.get_job("cycle")
        log.info(
            "daemon started",
            port=self.port,
            owner=self.owner,
            mode=self.service.settings.mode,
            next_cycle=str(job.next_run_time) if job else None,
            socket_mode=self._socket is not None,
        )

    def run_until_signalled(self) -> None:
        """Block until SIGTERM or SIGINT, then stop in order."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())
        self.start()
        # Python runs signal handlers in the main thread only, and a SIGTERM the kernel hands
        # to another thread (the scan's workers, the HTTP server) does not wake a main thread
        # blocked in a lock: it would wait for the cycle's end, or for ever. Waking every
        # SIGNAL_POLL_S lets the handler run within that time.
        while not self.stopping.wait(SIGNAL_POLL_S):
            pass
        self.stop()

    def stop(self) -> None:
        """Stop in order; safe on a daemon that was never started (it only closes)."""
        self.stopping.set()
        if self._started:
            log.info("daemon stopping")
            self._server.shutdown()
            self._scheduler.shutdown(wait=True)  # the running cycle parks its steps, returns
        if self._socket is not None:
            self._socket.close()
        self._worker.shutdown(wait=True, cancel_futures=True)
        self._server.close()
        self.service.close()
        if self._started:
            log.info("daemon stopped")

    # HTTP and Socket Mode: answer at once, work afterwards.
    def handle(self, request: Request) -> Response:
        now = self.service.clock.now()
        response, work = route(
            self.service,
            request,
            now,
            metrics=self.metrics.render,
            health=lambda: self.health.verdict(now),
        )
        self._submit(work)
        return response

    def _socket_click(self, payload: dict[str, Any]) -> None:
        self._submit(answer_payload(self.service, payload, self.service.clock.now()))

    def _submit(self, work: list[Work]) -> None:
        for item in work:
            if not self.stopping.is_set():
                self._worker.submit(self._perform, item)

    def _perform(self, work: Work) -> None:
        self.metrics.count("work", work.task)
        try:
            if work.task == "execute":
                self._exclusive(
                    lambda deadline: perform(work, self.service, deadline, self.stopping.is_set),
                    WORK_PATIENCE_S,
                )
            else:
                perform(work, self.service)
        except Exception:
            log.exception("work failed", task=work.task, finding_id=work.finding_id)

    # Cycles.
    def cycle(self) -> None:
        try:
            ran = self._exclusive(self._run_cycle, patience_s=0)
        except Exception as error:
            self.metrics.count("cycles", "failed")
            self.health.cycle_failed(error)
            log.exception("cycle failed")
            return
        if ran:
            self.health.cycle_ran(self.service.clock.now())
        else:
            self.metrics.count("cycles", "skipped")
            self.health.cycle_skipped(self.service.clock.now())

    def parking(self) -> None:
        """Between cycles; a cycle in progress parks and resumes itself, so the tick yields."""
        try:
            ran = self._exclusive(self._run_parking, patience_s=0)
        except Exception:
            self.metrics.count("parking", "failed")
            log.exception("parking tick failed")
            return
        self.metrics.count("parking", "ran" if ran else "skipped")

    def digest(self) -> None:
        """The weekly digest; a failed channel is tried again at the next run of the job."""
        try:
            result = send_digest(self.service, self.owner)
        except Exception:
            self.metrics.count("digests", "failed")
            log.exception("digest failed")
            return
        for _ in result.sent:
            self.metrics.count("digests", "sent")
        for _ in result.failed:
            self.metrics.count("digests", "failed")

    def _run_parking(self, deadline: datetime) -> None:
        self._reload_policies()
        outcomes = run_parking(self.service, deadline, interrupted=self.stopping.is_set)
        self.metrics.steps.update(step.fate for o in outcomes for step in o.steps)
        self._count_parking_savings(outcomes)

    def _count_parking_savings(self, outcomes: Sequence[FindingOutcome]) -> None:
        """What parking saved so far, from the audit log (the same figures `audit` prints);
        read only where something is on a park schedule."""
        if not any(o.action == "park" for o in outcomes):
            return
        now = self.service.clock.now()
        total = ParkingTotal.of(self.service.store.list_audit(limit=PARKING_AUDIT_LIMIT), now)
        if total is not None:
            self.metrics.parking_saved(total.saved_usd, total.hours, total.saved_by_team)

    def _run_cycle(self, deadline: datetime) -> None:
        self._reload_policies()
        result = run_cycle(self.service, deadline, interrupted=self.stopping.is_set)
        self.metrics.cycle_ran(result, time.time())
        self._count_parking_savings(result.apply.findings)
        log.info(
            "cycle finished",
            run_id=result.apply.run_id,
            verdict=result.apply.verdict(),
            findings=len(result.apply.findings),
            stopped=result.apply.stopped,
        )

    def _reload_policies(self) -> None:
        """Each cycle reads the policies again, so new thresholds (a file, an S3 prefix, an
        AppConfig profile) apply without a restart; broken ones keep the last good set."""
        try:
            self.service.reload_policies()
        except PolicyError as error:
            self.metrics.error()
            log.error("policies not reloaded; keeping the last good ones", error=str(error))

    def _take_lock(self, ttl: timedelta) -> bool:
        """The store's lock, also from a daemon of this host whose process is gone (killed
        before it could let go): waiting out its lease would hold every cycle back."""
        store, now = self.service.store, self.service.clock.now()
        if store.acquire_lock(LOCK, self.owner, now, ttl):
            return True
        holder = store.lock_owner(LOCK, now)
        if holder is None or not holders.is_gone(holder):
            return False
        log.info("taking over the store's lock from a daemon whose process is gone", gone=holder)
        return store.acquire_lock(LOCK, self.owner, now, ttl, gone_owner=holder)

    def _exclusive(self, act: Callable[[datetime], None], patience_s: float) -> bool:
        """Run `act(deadline)` holding both locks; False when another daemon kept the store's
        lock for longer than `patience_s` (its cycle does the work)."""
        ttl = timedelta(minutes=self.service.settings.daemon_lock_minutes)
        give_up = time.monotonic() + patience_s
        with self._acting:
            store = self.service.store
            while not self._take_lock(ttl):
                if self.stopping.is_set() or time.monotonic() >= give_up:
                    log.info("another daemon holds the store's lock; leaving it to that one")
                    return False
                self.stopping.wait(LOCK_RETRY_S)
            try:
                act(self.service.clock.now() + ttl - LOCK_MARGIN)
            finally:
                store.release_lock(LOCK, self.owner)
        return True

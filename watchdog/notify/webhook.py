"""The webhook channel: each change a finding goes through, POSTed as a signed JSON event.

For anything that is neither Slack, Teams nor email (PagerDuty or Opsgenie through a small
bridge, a ticketing system): one request per change, signed (webhook_signing), the event shaped
by webhook_events. A request that fails for a reason that may pass (no connection, a timeout,
408, 429, 5xx) is retried with exponential backoff and jitter, after the receiver's
`Retry-After` when it gives one; any other answer (a 3xx, a 4xx) is final for this cycle.

It never holds a cycle up: all its requests and waits share one time budget
(WATCHDOG_WEBHOOK_BUDGET_SECONDS). A change not delivered within it, or left unsent once the
receiver is found down, is reported in `Delivered.failed` and, remembered as untold, sent on the
next cycle with the same event id. Only the URL's host is ever logged: the URL may carry a token.
"""

from __future__ import annotations

import http.client
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import structlog

from watchdog.notify.outbound import Change, Delivered
from watchdog.notify.sender import bypasses_proxy
from watchdog.notify.webhook_events import digest_event, event_body, event_of
from watchdog.notify.webhook_signing import signed_headers
from watchdog.notify.weekly import Digest
from watchdog.settings import Settings

log = structlog.get_logger(__name__)

# A request is not started with less time than this left in the budget.
MIN_REQUEST_SECONDS = 0.05
# What is read of an answer's body (nothing in it is used; reading lets the connection close).
MAX_ANSWER_BYTES = 65536
USER_AGENT = "ai-cost-watchdog-webhook/1"
_RETRIED = frozenset({408, 429})


@dataclass(frozen=True)
class Answer:
    """What one request came back with: its status, or None and why when none came."""

    status: int | None
    retry_after: str | None = None
    error: str = ""


class Transport(Protocol):
    def __call__(
        self, url: str, body: bytes, headers: Mapping[str, str], timeout: float
    ) -> Answer: ...


class Timer(Protocol):
    def time(self) -> float:
        """Unix seconds: the signature's timestamp, and what an HTTP-date Retry-After is from."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemTimer:
    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class Backoff:
    """Up to `attempts` requests per change; before retry n (from 0), a wait of
    min(cap, base * 2**n) seconds, of which the second half is random (jitter)."""

    attempts: int = 4
    base: float = 0.25
    cap: float = 2.0

    def wait(self, retry: int, jitter: float) -> float:
        delay = min(self.cap, self.base * 2.0**retry)
        return delay / 2 + delay / 2 * jitter


@dataclass(frozen=True)
class _Outcome:
    why: str = ""  # empty: delivered
    halt: str = ""  # set: the rest of this cycle's changes are not tried, for this reason


class WebhookChannel:
    """The `Channel` posting signed events to one URL."""

    name = "webhook"

    def __init__(
        self,
        url: str,
        secret: str | bytes,
        *,
        timeout: float = 3.0,
        budget: float = 5.0,
        transport: Transport | None = None,
        timer: Timer | None = None,
        backoff: Backoff | None = None,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._url, self._secret = url, secret
        self.host = urlsplit(url).hostname or "?"
        self.timeout, self.budget = timeout, budget
        self._transport: Transport = transport or urllib_post
        self._timer: Timer = timer or SystemTimer()
        self._backoff = backoff or Backoff()
        self._jitter = jitter

    def __repr__(self) -> str:
        return f"WebhookChannel(host={self.host!r})"

    def deliver(self, changes: Sequence[Change], now: datetime) -> Delivered:
        out = Delivered()
        deadline = self._timer.monotonic() + self.budget
        halted = ""
        for change in changes:
            finding_id = change.stored.finding.id
            if halted:
                out.failed.append(f"{finding_id}: not sent, {halted}; next cycle")
                continue
            outcome = self._send(change, now, deadline, out)
            if not outcome.why:
                out.told.append(change)
                continue
            out.failed.append(f"{finding_id}: {outcome.why}")
            log.warning(
                "webhook not delivered",
                host=self.host,
                finding_id=finding_id,
                stage=change.stage,
                why=outcome.why,
            )
            halted = outcome.halt
        return out

    def deliver_digest(self, digest: Digest, now: datetime) -> str | None:
        """The weekly digest as one `digest.weekly` event; None when it was taken."""
        calls = Delivered()
        outcome = self._post(digest_event(digest), self._timer.monotonic() + self.budget, calls)
        return outcome.why or None

    def _send(self, change: Change, now: datetime, deadline: float, out: Delivered) -> _Outcome:
        """One change, retried while it may pass and the budget allows."""
        return self._post(event_of(change, now), deadline, out)

    def _post(self, event: dict[str, Any], deadline: float, out: Delivered) -> _Outcome:
        body = event_body(event)
        why = ""
        for attempt in range(self._backoff.attempts):
            left = deadline - self._timer.monotonic()
            if left < MIN_REQUEST_SECONDS:
                spent = f"time budget of {self.budget:g} s spent"
                return _Outcome(f"{why}; {spent}" if why else spent, halt=spent)
            stamp = int(self._timer.time())
            headers = signed_headers(self._secret, body, event["id"], stamp)
            answer = self._transport(self._url, body, headers, min(self.timeout, left))
            out.calls += 1
            if answer.status is not None and 200 <= answer.status < 300:
                return _Outcome()
            why = _why(answer)
            if not _retried(answer):
                return _Outcome(why)
            if attempt + 1 == self._backoff.attempts:
                break
            wait = self._wait(answer, attempt)
            if self._timer.monotonic() + wait > deadline:
                return _Outcome(f"{why}; no time left to retry", halt=self._down)
            self._timer.sleep(wait)
        return _Outcome(f"{why} after {self._backoff.attempts} tries", halt=self._down)

    @property
    def _down(self) -> str:
        return f"{self.host} did not take the previous event"

    def _wait(self, answer: Answer, attempt: int) -> float:
        asked = retry_after_seconds(answer.retry_after, self._timer.time())
        return asked if asked is not None else self._backoff.wait(attempt, self._jitter())


def _retried(answer: Answer) -> bool:
    status = answer.status
    return status is None or status in _RETRIED or status >= 500


def _why(answer: Answer) -> str:
    if answer.status is None:
        return answer.error or "no answer"
    asked = f" (Retry-After {answer.retry_after})" if answer.retry_after else ""
    return f"HTTP {answer.status}{asked}"


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """A Retry-After header as seconds from `now` (unix seconds): delay-seconds or an
    HTTP-date; None when absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered, not followed: the signed event goes to the configured URL only."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def urllib_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
    """POST with the standard library; never raises for a failed request."""
    handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
    if bypasses_proxy(url):
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(
        url, data=body, headers={**headers, "User-Agent": USER_AGENT}, method="POST"
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(MAX_ANSWER_BYTES)
            return Answer(response.status)
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After") if error.headers else None
        error.close()
        return Answer(error.code, retry_after)
    except urllib.error.URLError as error:
        return Answer(None, error=f"connection failed: {_reason(error.reason)}")
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, error=f"connection failed: {_reason(error)}")


def _reason(error: object) -> str:
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(error) or type(error).__name__


def channel_from_settings(settings: Settings, session: object = None) -> WebhookChannel | None:
    """The webhook when WATCHDOG_WEBHOOK_URL is set; None otherwise. Never unsigned: settings
    the start did not check (secrets fetched by reference) are checked again here."""
    if settings.webhook_url is None:
        return None
    problem = settings.webhook_problem()
    if problem is not None or settings.webhook_secret is None:
        raise ValueError(problem or "WATCHDOG_WEBHOOK_SECRET is not set")
    return WebhookChannel(
        settings.webhook_url.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
        timeout=settings.webhook_timeout_seconds,
        budget=settings.webhook_budget_seconds,
    )

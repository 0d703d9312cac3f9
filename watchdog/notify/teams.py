"""Microsoft Teams: every change of a finding, as an Adaptive Card (teams_cards) posted to a
Teams workflow's webhook, one request per change. The standard library's HTTP client: no new
dependency, and nothing loaded unless Teams is configured.

The wire, as Microsoft's workflows answer it (see teams_cards for the documents):

- 202 Accepted when the workflow takes the request (it then runs on its own; a card the flow
  fails to post later shows only in its run history). Any 2xx counts as taken: a flow that
  ends with a Response action answers what that action says (200, say: Skitionek/notify-
  microsoft-teams issue 98). Microsoft's pages do not state the 202 (still so when re-checked
  for issue #17); it is what the trigger answers in practice (atc0005/go-teams-notify PR 265,
  keel-hq/keel PR 843, fluxcd/flagger PR 1887, nicholas-fedor/shoutrrr PR 900: "Power
  Automate workflow webhooks return 202 Accepted on successful delivery").
- 429 when throttled (Microsoft's Teams webhook page: more than four requests a second are
  throttled; "retry logic with exponential backoff"; whether a Workflows 429 carries
  Retry-After is documented nowhere found): retried after its Retry-After, at most
  `RATE_RETRIES` times and only when it asks for `MAX_WAIT_S` seconds or less.
- 5xx, a refused connection or a timeout: retried `SERVER_RETRIES` times, shortly.
- Any other answer (400 for a card it cannot read, 401 for a bad signature, 404 for a
  deleted workflow, 413 for a message over 28 KB) is not retried.

A change not delivered is left for the next cycle (`outbound.tell` remembers only what was
told). After a failure that is the endpoint's rather than the card's (throttled, 5xx, 401,
403, 404, unreachable) the rest of this cycle's changes are not attempted either: they would
fail the same way, three requests each. Redirects are not followed.

The URL is a secret: its `sig=` is the trigger's signature, and whoever has it posts in the
channel. It is never logged nor put in an error; logs and failures name its host only.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPException
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import structlog

from watchdog.notify.outbound import Change, Delivered
from watchdog.notify.sender import bypasses_proxy
from watchdog.notify.teams_cards import digest_message, teams_message
from watchdog.notify.weekly import Digest
from watchdog.settings import Settings
from watchdog.settings_channels import https_url_problem

if TYPE_CHECKING:
    import boto3

log = structlog.get_logger(__name__)

TIMEOUT_S = 10
RATE_RETRIES = 2
SERVER_RETRIES = 2
MAX_WAIT_S = 10.0  # a longer Retry-After waits for the next cycle instead of holding this one
SERVER_BACKOFF_S = (0.5, 1.0)
_CARD_REFUSALS = frozenset({400, 413})  # the card's fault: the next card may still go


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    calls: int
    why: str = ""
    endpoint: bool = False  # the endpoint failed (not this card): stop for this cycle


class TeamsChannel:
    """A `Channel` posting to one Teams workflow webhook. `sleep` is the wait between retries
    (tests pass their own)."""

    name = "teams"

    def __init__(
        self,
        url: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = TIMEOUT_S,
    ) -> None:
        self._url = url
        self.host = urlsplit(url).hostname or "unknown host"
        self._sleep = sleep
        self._timeout = timeout
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if bypasses_proxy(url):
            handlers.append(urllib.request.ProxyHandler({}))
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self) -> str:
        return f"TeamsChannel(host={self.host!r})"

    def deliver(self, changes: Sequence[Change], now: datetime) -> Delivered:
        delivered = Delivered()
        stopped: str | None = None
        for change in changes:
            finding_id = change.stored.finding.id
            if stopped is not None:
                delivered.failed.append(f"{finding_id}: not sent, {stopped}")
                continue
            outcome = self._post(json.dumps(teams_message(change)).encode())
            delivered.calls += outcome.calls
            if outcome.ok:
                delivered.told.append(change)
                continue
            delivered.failed.append(f"{finding_id}: {outcome.why}")
            log.warning("teams post failed", host=self.host, finding_id=finding_id, why=outcome.why)
            if outcome.endpoint:
                stopped = f"Teams at {self.host} failed earlier this cycle"
        return delivered

    def deliver_digest(self, digest: Digest, now: datetime) -> str | None:
        """The weekly digest's card; None when Teams took it, else why not."""
        outcome = self._post(json.dumps(digest_message(digest)).encode())
        return None if outcome.ok else outcome.why

    def _post(self, body: bytes) -> _Outcome:
        """One change, with its retries."""
        calls = rate_retries = server_retries = 0
        while True:
            calls += 1
            status, retry_after, why = self._request(body)
            if 200 <= status < 300:
                return _Outcome(True, calls)
            if status == 429:
                wait = _wait(retry_after)
                if rate_retries < RATE_RETRIES and wait is not None:
                    rate_retries += 1
                    self._sleep(wait)
                    continue
                return _Outcome(False, calls, f"{why} (throttled; retried next cycle)", True)
            if status >= 500 or status == 0:
                if server_retries < SERVER_RETRIES:
                    self._sleep(SERVER_BACKOFF_S[server_retries])
                    server_retries += 1
                    continue
                return _Outcome(False, calls, f"{why} after {calls} tries", True)
            return _Outcome(False, calls, why, status not in _CARD_REFUSALS)

    def _request(self, body: bytes) -> tuple[int, str | None, str]:
        """(status, Retry-After, what happened); status 0 when nothing was answered."""
        request = urllib.request.Request(
            self._url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                response.read(65536)
                return response.status, None, f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            error.read(65536)
            retry_after = error.headers.get("Retry-After") if error.headers else None
            return error.code, retry_after, f"Teams answered HTTP {error.code}"
        except (urllib.error.URLError, HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or type(error).__name__
            return 0, None, f"cannot reach {self.host}: {_plain(reason)}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A workflow answers itself; a redirect is answered as the failure it is."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def channel_from_settings(settings: Settings, session: boto3.Session | None) -> TeamsChannel | None:
    """The Teams channel when WATCHDOG_TEAMS_WEBHOOK_URL is set; None otherwise. A URL fetched
    from SSM or Secrets Manager did not pass the settings' check, so it is checked here: one
    that cannot be used is logged (never shown) and Teams stays off."""
    secret = settings.teams_webhook_url
    if secret is None or not secret.get_secret_value().strip():
        return None
    url = secret.get_secret_value().strip()
    problem = https_url_problem(url)
    if problem is not None:
        log.error("teams not configured", setting="WATCHDOG_TEAMS_WEBHOOK_URL", why=problem)
        return None
    return TeamsChannel(url)


def _wait(retry_after: str | None) -> float | None:
    """Seconds to wait before retrying a 429: its Retry-After (1 s without one); None when it
    asks for longer than this cycle should hold (or says nothing readable)."""
    if retry_after is None:
        return 1.0
    try:
        seconds = float(retry_after)
    except ValueError:
        return None  # an HTTP date: far enough to leave to the next cycle
    return max(seconds, 0.0) if seconds <= MAX_WAIT_S else None


def _plain(reason: object) -> str:
    """An error's reason without anything URL-shaped from the request in it."""
    return str(reason).split("?", 1)[0][:200]

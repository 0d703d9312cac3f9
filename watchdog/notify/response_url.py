"""Where a click's answer may be sent: only to Slack's own response_url host.

A click's payload names its `response_url`, and the watchdog POSTs its ephemeral answers there.
Followed wherever it pointed, that URL would make the daemon or the Lambda request any address
it can reach (loopback services, the instance metadata endpoint at 169.254.169.254) for anyone
holding the signing secret, or a Lambda work event someone could edit. So a response_url is
used only on `https://hooks.slack.com/`, or on the configured Slack API's own origin (a local
Slack stand-in for the sandbox and tests); anything else is refused, logged by its host, and
never requested.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import structlog

log = structlog.get_logger(__name__)

SLACK_HOOKS = ("https", "hooks.slack.com", 443)


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a plain http(s) URL; None for anything a parser might read in
    two ways (credentials, backslashes, spaces or control characters, no host)."""
    if any(ord(c) <= 0x20 or c in "\\\x7f" for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a bracketed host that is not an address
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return None
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def allowed_response_url(url: str | None, slack_api_url: str) -> str | None:
    """`url` when a reply may be sent there, else None (and a warning naming its host only:
    a response_url is a capability, good for a few replies, so it is never logged whole)."""
    if not url:
        return None
    origin = _origin(url)
    if origin is not None and origin in (SLACK_HOOKS, _origin(slack_api_url)):
        return url
    host = origin[1] if origin is not None else "unparsable"
    log.warning("response_url refused", host=host)
    return None

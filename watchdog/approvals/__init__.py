"""Approval links: signed, expiring, single-use URLs that let a person approve one action on
one finding from a browser (the link posted in Slack, or sent by mail).

`tokens` signs and verifies the link's token, `pages` renders what a browser sees, and `http`
is the framework-free handler the daemon's HTTP server and the Lambda's HTTP API both call.
"""

from __future__ import annotations

from watchdog.approvals.http import Response, handle_approval
from watchdog.approvals.tokens import (
    DEFAULT_VALIDITY,
    TokenClaims,
    TokenInvalid,
    approval_url,
    issue_token,
    link_secret,
    verify_token,
)

__all__ = [
    "DEFAULT_VALIDITY",
    "Response",
    "TokenClaims",
    "TokenInvalid",
    "approval_url",
    "handle_approval",
    "issue_token",
    "link_secret",
    "verify_token",
]

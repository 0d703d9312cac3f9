"""`GET|HEAD /report/{token}`: the savings report as one self-contained HTML page, for whoever
holds a report link (the weekly digest's). Read-only, like the report itself: the link names a
window (the last 30 days, say) and an expiry, is signed with the link secret for this use only
(an approval or resume token never opens it, nor it them), and works as often as wanted until
it expires. Each opening reads the store afresh: the page shows the figures as they are now.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from watchdog.approvals.http import Response
from watchdog.approvals.pages import HEADERS, error_page
from watchdog.approvals.tokens import TokenInvalid, verify_report_token
from watchdog.report import read_report, render_html
from watchdog.service.context import Service
from watchdog.store.base import StoreError

log = structlog.get_logger(__name__)

_REFUSED = {"malformed": 404, "bad-signature": 403, "expired": 410}
_NOTHING = "This page only shows figures; it changes nothing."


def report_page(service: Service, method: str, token: str, now: datetime) -> Response:
    if method not in ("GET", "HEAD"):
        return Response(405, HEADERS | {"Allow": "GET, HEAD"}, "")
    if service.link_key is None:
        page = error_page("Report links are off", "Set WATCHDOG_LINK_SECRET.", _NOTHING)
        return Response(404, dict(HEADERS), page)
    try:
        window = verify_report_token(service.link_key, token, now)
    except TokenInvalid as refused:
        page = error_page("This report link does not work", refused.message, _NOTHING)
        return Response(_REFUSED[refused.reason], dict(HEADERS), page)
    try:
        report = read_report(service.store, now, now - window)
    except StoreError as error:
        log.warning("report unreadable", error=str(error))
        page = error_page("The report cannot be read now", "Try again in a minute.", _NOTHING)
        return Response(503, HEADERS | {"Retry-After": "60"}, page)
    body = "" if method == "HEAD" else render_html(report)
    return Response(200, dict(HEADERS), body)

"""The HTML an approval link shows: the confirm page, the done page and the refusals.

Self-contained (inline style, no scripts, nothing fetched) and every value escaped: resource
names, tags and reasons come from AWS and policy files, never trusted as markup.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from watchdog.findings import Evidence, Finding
from watchdog.policies.schema import Action
from watchdog.store.base import Approval

# No caching anywhere (a proxy must not keep a page holding a live token), no framing (no
# click-jacking of the button), no referrer (the token is in the URL), no search indexing.
HEADERS: dict[str, str] = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;"
    "color:#222}dt{font-weight:600;margin-top:.5rem}dd{margin-left:1rem}"
    "button{font-size:1.1rem;padding:.6rem 1.2rem;background:#b3261e;color:#fff;border:0;"
    "border-radius:4px;cursor:pointer}code{background:#eee;padding:0 .2rem}"
)


def _resource_rows(finding: Finding) -> list[tuple[str, str]]:
    """What every page says first: which resource, where, under which policy."""
    resource = finding.resource
    return [
        ("Resource", f"{resource.kind} {resource.name}"),
        ("ARN", resource.arn),
        ("Account / region", f"{resource.account} / {resource.region}"),
        ("Policy", finding.policy),
    ]


def confirm_page(finding: Finding, action: Action, expires_at: datetime) -> str:
    """What the link shows on a GET: the finding in full and a form whose POST approves."""
    rows = [
        *_resource_rows(finding),
        ("Action", action),
        ("Reason", finding.reason),
        ("Evidence", evidence_summary(finding.evidence)),
        ("Monthly cost", monthly_cost(finding)),
        ("Owner", finding.owner or "unknown"),
        ("Link valid until", f"{expires_at:%Y-%m-%d %H:%M} UTC"),
    ]
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    steps = "".join(
        f"<li><code>{escape(s.op)}</code> {escape(s.target_name)}</li>" for s in finding.steps
    )
    kept = "".join(f"<li>{escape(r.what)}: {escape(r.reason)}</li>" for r in finding.retained)
    final = "".join(f"<li>{escape(i.what)}: {escape(i.why)}</li>" for i in finding.irreversible)
    body = (
        f"<h1>Approve {escape(action)} of {escape(finding.resource.name)}?</h1>"
        f"<dl>{details}</dl>"
        + (f"<h2>Steps</h2><ol>{steps}</ol>" if steps else "")
        + (f"<h2>Kept</h2><ul>{kept}</ul>" if kept else "")
        + (f"<h2>Cannot be undone by restore</h2><ul>{final}</ul>" if final else "")
        + "<p>Approving lets the next apply run this once, after it re-checks that the resource "
        "is unchanged and still idle. Opening this page changed nothing.</p>"
        # No action attribute: the form posts back to this same URL, token included.
         + f'<form method="post"><button type="submit">Approve {escape(action)}</button></form>'
    )
    return _page(f"Approve {action} of {finding.resource.name}", body)


def done_page(approval: Approval, resource_name: str) -> str:
    body = (
        f"<h1>Approved: {escape(approval.action)} of {escape(resource_name)}</h1>"
        f"<p>Approved by {escape(approval.approver)} at "
        f"{approval.created_at:%Y-%m-%d %H:%M} UTC; it runs at the next apply, which re-checks "
        f"the resource first. The approval is valid until "
        f"{approval.expires_at:%Y-%m-%d %H:%M} UTC.</p>"
        f"<p>Finding <code>{escape(approval.finding_id)}</code>.</p>"
    )
    return _page("Approved", body)


def error_page(title: str, message: str, nothing: str = "Nothing was approved.") -> str:
    body = f"<h1>{escape(title)}</h1><p>{escape(message)}</p><p>{escape(nothing)}</p>"
    return _page(title, body)


def resume_page(finding: Finding, expires_at: datetime) -> str:
    """A parked finding's Resume now link on a GET: what comes back, and a form whose POST
    brings it back."""
    rows = [
        *_resource_rows(finding),
        ("Monthly cost while running", monthly_cost(finding)),
        ("Link valid until", f"{expires_at:%Y-%m-%d %H:%M} UTC"),
    ]
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    body = (
        f"<h1>Resume {escape(finding.resource.name)} now?</h1><dl>{details}</dl>"
        "<p>It is parked by its office hours; resuming brings it back before its schedule "
        "would, and it bills again from then. Opening this page changed nothing.</p>"
        '<form method="post"><button type="submit">Resume now</button></form>'
    )
    return _page(f"Resume {finding.resource.name}", body)


def resume_done_page(resource_name: str, finding_id: str) -> str:
    body = (
        f"<h1>Resuming {escape(resource_name)}</h1><p>It is on its way back; the finding's "
        "message says when it is. Finding "
        f"<code>{escape(finding_id)}</code>.</p>"
    )
    return _page("Resuming", body)


def evidence_summary(evidence: Evidence) -> str:
    parts: list[str] = [evidence.state]
    if evidence.unknown_cause:
        parts.append(f"({evidence.unknown_cause})")
    if evidence.window_hours is not None:
        parts.append(f"over {evidence.window_hours:g} h")
    if evidence.invocations is not None:
        parts.append(f"{evidence.invocations:g} invocations")
    if evidence.threshold is not None:
        parts.append(f"threshold {evidence.threshold:g}")
    text = " ".join(parts)
    facts = "; ".join(f"{k}: {v}" for k, v in sorted(evidence.facts.items()))
    return "; ".join(part for part in (text, evidence.detail, facts) if part)


def monthly_cost(finding: Finding) -> str:
    if finding.monthly_cost_usd is None:
        return "unknown"
    return f"${finding.monthly_cost_usd:,.2f} ({finding.cost_basis})"


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="robots" content="noindex">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - ai-cost-watchdog</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )

"""The savings report as one self-contained HTML file: inline CSS and SVG charts, no script, no
external font or image, readable on a phone (one column under 40em). Every text from the store
(names, tags, policies) is escaped: a resource's tag is not the page's markup."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from watchdog.report.model import DaySaved, Row, SavingsReport

CHART_WIDTH, BAR_HEIGHT, TREND_HEIGHT = 560, 22, 160
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;
background:#f6f7f9}
main{max-width:60em;margin:auto;padding:1em}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em}
.cards{display:flex;flex-wrap:wrap;gap:.8em}
.card{background:#fff;border-radius:8px;padding:.8em 1em;flex:1 1 12em;box-shadow:0 1px 2px #0002}
.card b{display:block;font-size:1.5em}.muted{color:#5b6475;font-size:.9em}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.9em}
th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #e3e6eb}
td.usd,th.usd{text-align:right;white-space:nowrap}
svg{max-width:100%;height:auto;background:#fff;border-radius:8px}
.scroll{overflow-x:auto}
@media (max-width:40em){.card b{font-size:1.25em}th,td{padding:.3em}}
"""


def money(usd: float | None) -> str:
    return "?" if usd is None else f"${usd:,.2f}"


def render_html(report: SavingsReport) -> str:
    window = f"{report.since:%Y-%m-%d %H:%M} to {report.generated_at:%Y-%m-%d %H:%M} UTC"
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width,initial-scale=1'>",
        f"<title>ai-watchdog savings report</title><style>{STYLE}</style></head><body><main>",
        f"<h1>AI cost watchdog: savings report</h1><p class='muted'>{escape(window)}</p>",
        _cards(report),
        "<h2>Saved, day by day</h2>",
        _trend_chart(report.trend),
        "<h2>Saved by team</h2>",
        _bar_chart(report.saved_by_team, "saved-by-team"),
        "<h2>At stake now, a month</h2>",
        *(_breakdown(name, rows) for name, rows in report.at_stake_by.items()),
        "<h2>Top offenders</h2>",
        _offenders(report),
        "<h2>Waiting on a person</h2>",
        _waiting(report),
        "</main></body></html>",
    ]
    return "\n".join(parts)


def _cards(report: SavingsReport) -> str:
    unpriced = f", {report.unpriced} of unknown cost" if report.unpriced else ""
    cards = [
        ("saved-total", "Saved in the window", money(report.saved_usd),
         f"teardowns {money(report.saved_by_teardown_usd)}, "
         f"parking {money(report.saved_by_parking_usd)}"),
        ("at-stake", "At stake now, a month", money(report.at_stake_usd),
         f"{report.resources} resources in {report.standing} standing findings{unpriced}"),
        ("could-save", "Could save, a month", money(report.could_save_usd),
         "if each finding's action were carried out"),
        ("waiting", "Waiting on a person", str(len(report.waiting)), "findings to approve"),
    ]  # fmt: skip
    html = "".join(
        f"<div class='card' id='{key}'><span class='muted'>{escape(title)}</span>"
        f"<b>{escape(value)}</b><span class='muted'>{escape(note)}</span></div>"
        for key, title, value, note in cards
    )
    return f"<div class='cards'>{html}</div>"


def _bar_chart(rows: Sequence[Row], chart_id: str) -> str:
    if not rows:
        return "<p class='muted'>Nothing yet.</p>"
    most = max((r.usd for r in rows), default=0.0) or 1.0
    label_width, height = 180, BAR_HEIGHT * len(rows) + 8
    bars = []
    for i, row in enumerate(rows):
        y = 4 + i * BAR_HEIGHT
        width = max(1.0, (CHART_WIDTH - label_width - 110) * row.usd / most)
        bars.append(
            f"<text x='4' y='{y + 15}' font-size='13'>{escape(row.name[:26])}</text>"
            f"<rect x='{label_width}' y='{y + 3}' width='{width:.1f}' height='{BAR_HEIGHT - 6}' "
            f"fill='#3b6fd8'/><text x='{label_width + width + 6:.1f}' y='{y + 15}' "
            f"font-size='12'>{escape(money(row.usd))}</text>"
        )
    return (
        f"<svg id='{chart_id}' role='img' viewBox='0 0 {CHART_WIDTH} {height}' "
        f"width='{CHART_WIDTH}' height='{height}'>{''.join(bars)}</svg>"
    )


def _trend_chart(trend: Sequence[DaySaved]) -> str:
    if not trend:
        return "<p class='muted'>Nothing yet.</p>"
    top = max(d.cumulative_usd for d in trend) or 1.0
    left, bottom = 8, TREND_HEIGHT - 24
    step = (CHART_WIDTH - 2 * left) / max(1, len(trend) - 1)
    points = [
        (left + i * step, bottom - (bottom - 12) * d.cumulative_usd / top)
        for i, d in enumerate(trend)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    area = f"{left},{bottom} {line} {points[-1][0]:.1f},{bottom}"
    first, last = trend[0], trend[-1]
    return (
        f"<svg id='trend' role='img' viewBox='0 0 {CHART_WIDTH} {TREND_HEIGHT}' "
        f"width='{CHART_WIDTH}' height='{TREND_HEIGHT}'>"
        f"<polygon points='{area}' fill='#3b6fd833'/>"
        f"<polyline points='{line}' fill='none' stroke='#3b6fd8' stroke-width='2'/>"
        f"<text x='{left}' y='{TREND_HEIGHT - 6}' font-size='12'>{first.day:%Y-%m-%d}</text>"
        f"<text x='{CHART_WIDTH - left}' y='{TREND_HEIGHT - 6}' font-size='12' "
        f"text-anchor='end'>{last.day:%Y-%m-%d}: {escape(money(last.cumulative_usd))}</text>"
        "</svg>"
    )


def _breakdown(name: str, rows: Sequence[Row]) -> str:
    body = "".join(
        f"<tr><td>{escape(r.name)}</td><td class='usd'>{escape(money(r.usd))}</td>"
        f"<td class='usd'>{r.count}</td></tr>"
        for r in rows
    )
    return (
        f"<div class='scroll'><table id='at-stake-by-{escape(name)}'><tr><th>{escape(name)}</th>"
        f"<th class='usd'>a month</th><th class='usd'>findings</th></tr>{body}</table></div>"
    )


def _offenders(report: SavingsReport) -> str:
    if not report.top_offenders:
        return "<p class='muted'>No standing finding.</p>"
    rows = [
        (o.resource_name, o.kind, o.team, f"{o.account} {o.region}", f"{o.action} ({o.state})",
         money(o.monthly_cost_usd))
        for o in report.top_offenders
    ]  # fmt: skip
    head = ("resource", "kind", "team", "where", "action", "a month")
    return _table("top-offenders", head, rows)


def _waiting(report: SavingsReport) -> str:
    if not report.waiting:
        return "<p class='muted'>Nothing waits on anyone.</p>"
    rows = [
        (w.resource_name, w.action, w.waiting_on, f"{w.since:%Y-%m-%d}",
         money(w.monthly_savings_usd))
        for w in report.waiting
    ]  # fmt: skip
    return _table("waiting", ("resource", "action", "waiting on", "since", "saves a month"), rows)


def _table(table_id: str, head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A table of rows whose last value is money, shown second (right-aligned) so a phone sees
    the name and the money without scrolling the rest into view; every cell escaped."""

    def cells(tag: str, values: Sequence[str]) -> str:
        name, *details, usd = (escape(v) for v in values)
        money_cell = f"<{tag} class='usd'>{usd}</{tag}>"
        return f"<{tag}>{name}</{tag}>{money_cell}" + "".join(
            f"<{tag}>{v}</{tag}>" for v in details
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return (
        f"<div class='scroll'><table id='{table_id}'><tr>{cells('th', head)}</tr>"
        f"{body}</table></div>"
    )

"""The savings report as JSON (the model, whole) and as CSV: one long table a spreadsheet can
pivot, a row per figure: section, dimension, name, usd, count."""

from __future__ import annotations

import csv
import io

from watchdog.report.model import SavingsReport

CSV_HEADER = ("section", "dimension", "name", "usd", "count")


def render_json(report: SavingsReport) -> str:
    return report.model_dump_json(indent=2)


def render_csv(report: SavingsReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerow(("saved", "total", "all", f"{report.saved_usd:.2f}", ""))
    writer.writerow(("saved", "total", "teardown", f"{report.saved_by_teardown_usd:.2f}", ""))
    writer.writerow(("saved", "total", "parking", f"{report.saved_by_parking_usd:.2f}", ""))
    for row in report.saved_by_team:
        writer.writerow(("saved", "team", row.name, f"{row.usd:.2f}", row.count))
    for day in report.trend:
        writer.writerow(("saved", "day", day.day.isoformat(), f"{day.usd:.2f}", ""))
    writer.writerow(("at_stake", "total", "all", f"{report.at_stake_usd:.2f}", report.standing))
    writer.writerow(("could_save", "total", "all", f"{report.could_save_usd:.2f}", ""))
    for dimension, rows in report.at_stake_by.items():
        for row in rows:
            writer.writerow(("at_stake", dimension, row.name, f"{row.usd:.2f}", row.count))
    for offender in report.top_offenders:
        usd = "" if offender.monthly_cost_usd is None else f"{offender.monthly_cost_usd:.2f}"
        writer.writerow(("top_offender", offender.kind, offender.resource_name, usd, ""))
    for waiting in report.waiting:
        usd = f"{waiting.monthly_savings_usd:.2f}"
        writer.writerow(("waiting", waiting.waiting_on, waiting.resource_name, usd, ""))
    return out.getvalue()

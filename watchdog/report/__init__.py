"""report: what the watchdog found at stake and what it saved, from the store alone (the last
stage: inventory -> signals -> evaluate -> plan -> act -> report)."""

from watchdog.report.html import render_html
from watchdog.report.model import SavingsReport, build_report
from watchdog.report.read import read_report
from watchdog.report.text import render_csv, render_json

FORMATS = {"html": render_html, "json": render_json, "csv": render_csv}

__all__ = [
    "FORMATS",
    "SavingsReport",
    "build_report",
    "read_report",
    "render_csv",
    "render_html",
    "render_json",
]

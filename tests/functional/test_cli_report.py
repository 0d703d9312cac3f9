"""`ai-watchdog report` against a real SQLite store, through click's test runner (it reads only
the store): the HTML file, the JSON and CSV on stdout, and one-line usage errors (exit 2)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.functional.test_cli_audit import entry
from tests.unit.report.test_report import stored
from watchdog.cli.report import report
from watchdog.service.context import build_service
from watchdog.service.routes import Request, route
from watchdog.settings import Settings
from watchdog.store.open import open_store
from watchdog.store.sqlite import SqliteStore


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    path = tmp_path / "watchdog.db"
    store = SqliteStore(path)
    now = datetime.now(UTC)
    store.save_findings("r-1", [stored("llm", 1090.5).finding, stored("gpu", None).finding], now)
    # Deleted two days ago: $1,090.50 a month saved since, by the hour. Dated from this
    # fixture's clock, not from the audit module's import (minutes earlier in a long run).
    store.append_audit(entry("a-deleted", timedelta(0), at=now - timedelta(days=2)))
    store.close()
    return f"sqlite:///{path}"


def run(*args: str) -> Result:
    return CliRunner().invoke(report, list(args))


def test_the_html_report_is_written_where_asked(store_url: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    result = run("--store", store_url, "--output", str(path))

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Report written to {path}"
    page = path.read_text()
    assert "$1,090.50" in page  # at stake: the open finding's resource
    assert "2 resources in 2 standing findings, 1 of unknown cost" in page
    saved = re.search(r"id='saved-total'.*?<b>\$([\d,.]+)</b>", page)
    assert saved is not None  # since the delete, two days (and the seconds this test took)
    assert float(saved.group(1).replace(",", "")) == pytest.approx(1090.5 * 48 / 730, rel=1e-3)


def test_json_and_csv_go_to_stdout(store_url: str) -> None:
    as_json = run("--store", store_url, "--format", "json", "--since", "1d")
    as_csv = run("--store", store_url, "--format", "csv")

    assert as_json.exit_code == 0 and as_csv.exit_code == 0, as_json.output + as_csv.output
    body = json.loads(as_json.output)
    assert body["at_stake_usd"] == 1090.5 and body["unpriced"] == 1
    assert body["saved_usd"] == pytest.approx(1090.5 * 24 / 730, rel=1e-3)  # the last day
    assert as_csv.output.splitlines()[0] == "section,dimension,name,usd,count"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--since", "soon"], "is neither a duration"),
        (["--since", "2999-01-01"], "is not in the past"),
        (["--format", "pdf"], "'pdf' is not one of"),
        (["--output", "/no/such/dir/r.html"], "no such directory /no/such/dir"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(store_url: str, args: list[str], said: str) -> None:
    result = run("--store", store_url, *args)

    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output


def test_an_unknown_store_is_one_line_and_exit_2() -> None:
    result = run("--store", "ftp://nowhere")

    assert result.exit_code == 2, result.output
    assert "unsupported store URL" in result.output


def test_a_report_link_opens_this_report_on_the_daemon(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "report-link-secret-0123456789abcdef0123456789"
    monkeypatch.setenv("WATCHDOG_LINK_SECRET", secret)
    monkeypatch.setenv("WATCHDOG_PUBLIC_URL", "https://watchdog.example.com/")
    result = run("--store", store_url, "--link", "--since", "7d", "--valid", "2d")

    assert result.exit_code == 0, result.output
    url = result.output.strip()
    assert url.startswith("https://watchdog.example.com/report/")
    settings = Settings(store=store_url, link_secret=secret, public_url="https://x.example.com")
    store = open_store(store_url)
    try:
        service = build_service(settings, store)
        path = url.removeprefix("https://watchdog.example.com")
        page, _ = route(service, Request("GET", path), datetime.now(UTC))
        late, _ = route(service, Request("GET", path), datetime.now(UTC) + timedelta(days=2))
    finally:
        store.close()
    assert page.status == 200 and "$1,090.50" in page.body
    assert late.status == 410


def test_a_report_link_needs_the_link_settings(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WATCHDOG_LINK_SECRET", raising=False)
    monkeypatch.delenv("WATCHDOG_PUBLIC_URL", raising=False)
    result = run("--store", store_url, "--link")
    assert result.exit_code == 2
    assert "--link needs WATCHDOG_LINK_SECRET and WATCHDOG_PUBLIC_URL" in result.output
    assert "Traceback" not in result.output

"""A dry run says "Add --execute ..." only when some step is marked would-run (issue #13, 10)."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

from rich.console import Console

from tests.unit.act.test_admission_rules import finding
from watchdog.act import ApplyResult, ApplySummary
from watchdog.act.admission import finding_outcome
from watchdog.cli.render_apply import render_apply


def rendered(fate: str) -> str:
    outcome = finding_outcome(finding(), fate, "waits for its window")  # type: ignore[arg-type]
    result = ApplyResult(
        run_id="r",
        mode="dry-run",
        generated_at=datetime.now(UTC),
        findings=[outcome],
        summary=ApplySummary(
            findings=1, by_fate={fate: 1}, steps_by_fate={}, monthly_savings_usd=0.0
        ),
    )
    out = StringIO()
    render_apply(result, Console(file=out, width=160))
    return out.getvalue()


def test_no_execute_hint_when_nothing_would_run() -> None:
    text = rendered("waiting")

    assert "Dry run: nothing is changed." in text
    assert "Add --execute" not in text

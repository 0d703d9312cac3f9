"""`make demo` is the README's first command: it must run the whole cycle on a fresh machine."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.e2e.conftest import run


def test_the_demo_runs_scan_plan_approve_a_real_teardown_and_a_restore(tmp_path: Path) -> None:
    blocks, page = tmp_path / "slack.json", tmp_path / "report.html"
    result = run(["demo", "--slack-json", str(blocks), "--report", str(page)])

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    stages = ["1. The sandbox", "2. Scan", "3. Plan", "4. Apply (dry run)", "5. Slack"]
    stages += ["6. Apply --execute", "7. Audit and restore", "8. The savings report"]
    positions = [out.index(stage) for stage in stages]
    assert positions == sorted(positions)
    teardown = out[out.index("6. Apply --execute") : out.index("7. Audit and restore")]
    # An endpoint comes down before the config it used, and the config before its model.
    rag = teardown[teardown.index("delete sagemaker-endpoint rag-poc") :]
    order = [rag.index(op) for op in ("DeleteEndpoint ", "DeleteEndpointConfig", "DeleteModel")]
    assert order == sorted(order)
    assert "[failed]" not in teardown
    saved = re.search(r"Torn down in this run: \$([\d,.]+)/month", teardown)
    assert saved is not None and float(saved.group(1).replace(",", "")) > 0
    restored = out[out.index("7. Audit and restore") :]
    # The audit page shows only the newest entries; its summary still totals the whole run.
    assert f"done changes in the whole log save ${saved.group(1)}/month" in restored
    assert "sagemaker:CreateEndpoint " in restored and "Audited as" in restored
    # The alert was shown and approved through the signed click path, and edited afterwards.
    slack = out[out.index("5. Slack") : out.index("6. Apply --execute")]
    assert "[Approve delete]" in slack and "clicked Approve" in slack and "HTTP 200" in slack
    messages = json.loads(blocks.read_text())
    assert any("approve" in json.dumps(m["blocks"]) for m in messages)
    assert re.search(r"Slack messages updated: [1-9]", teardown)
    assert "Done - every step is done" in teardown
    # The savings report of that teardown: its headline figures, and the page they come from.
    headline = re.search(r"At stake: \$([\d,.]+) a month over (\d+) resources", out)
    assert headline is not None and int(headline.group(2)) > 0, out[-800:]
    assert f"Report written to {page.resolve()}" in out
    assert f"${headline.group(1)}" in page.read_text()

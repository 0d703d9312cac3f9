"""`make demo` is the README's first command: it must run the whole cycle on a fresh machine."""

from __future__ import annotations

import re

from tests.e2e.conftest import run


def test_the_demo_runs_scan_plan_approve_a_real_teardown_and_a_restore() -> None:
    result = run(["demo"])

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    stages = ["1. The sandbox", "2. Scan", "3. Plan", "4. Apply (dry run)", "5. Approve"]
    stages += ["6. Apply --execute", "7. Audit and restore"]
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
    assert "sagemaker:CreateEndpoint " in restored and "Audited as" in restored

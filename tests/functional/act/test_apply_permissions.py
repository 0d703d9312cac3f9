"""The permissions `apply --execute` needs beyond plan's are documented in the README: an
execute run over every kind the watchdog can tear down proves the list complete."""

from __future__ import annotations

from pathlib import Path

from tests.functional.act.conftest import Applier, teardown_policy
from tests.functional.test_permissions import IAM_PREFIX

ROOT = Path(__file__).resolve().parents[3]
EVERY_KIND = [
    "sagemaker-domain",
    "sagemaker-endpoint",
    "sagemaker-notebook-instance",
    "sagemaker-mlflow-tracking-server",
    "bedrock-provisioned-throughput",
    "sagemaker-inference-component",
    "bedrock-custom-model",
]


def test_every_call_of_an_execute_run_is_documented(applier: Applier) -> None:
    result = applier(teardown_policy(EVERY_KIND))

    assert result.verdict() in ("done", "partial")
    ops = {s.op for f in result.findings for s in f.steps if s.fate == "done"}
    assert {
        "sagemaker:DeleteDomain",
        "sagemaker:StopNotebookInstance",
        "bedrock:DeleteCustomModel",
    } <= ops
    actions = {
        f"{IAM_PREFIX.get(op.split(':')[0], op.split(':')[0])}:{op.split(':')[1]}"
        for op in result.api_calls_by_operation
    }
    readme = (ROOT / "README.md").read_text()
    missing = sorted(a for a in actions if a not in readme)
    assert missing == [], missing

"""Office hours from the shell: `apply --execute` parks what a park policy's schedule says (a
schedule that fires every minute, so the test need not wait for the evening), `audit` prices
the parked time, and `resume` brings one back, once."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import run

POLICY = """\
policies:
  - name: office-hours
    resource: [sagemaker-notebook-instance]
    conditions: {status: [InService]}
    action: park
    approval: {mode: automatic, grace: 0h}
    park: {at: "* * * * *", resume: on-demand, timezone: Europe/Paris}
"""


def test_park_on_schedule_then_resume_one_from_the_shell(sandbox: str, tmp_path: Path) -> None:
    policies = tmp_path / "park.yaml"
    policies.write_text(POLICY, encoding="utf-8")
    env = {"WATCHDOG_STORE": f"sqlite:///{tmp_path / 'w.db'}", "WATCHDOG_CACHE_DIR": str(tmp_path)}
    args = ["--regions", "us-east-1", "--policies", str(policies)]

    parked = run(["apply", *args, "--execute", "--format", "json"], sandbox, **env)

    assert parked.returncode == 0, parked.stderr
    findings = json.loads(parked.stdout)["findings"]
    done = {f["resource_name"]: f for f in findings if f["fate"] == "done"}
    assert "alice-exploration" in done, findings
    arn = done["alice-exploration"]["resource_arn"]
    assert done["alice-exploration"]["reason"].startswith("parked: AWS confirms: Stopped")

    dry = run(["resume", arn], sandbox, **env)
    assert dry.returncode == 0, dry.stderr
    assert "Dry run" in dry.stdout and "would-run" in dry.stdout
    resumed = run(["resume", arn, "--execute"], sandbox, **env)
    assert resumed.returncode == 0, resumed.stderr
    assert "StartNotebookInstance alice-exploration" in resumed.stdout
    again = run(["resume", arn, "--execute"], sandbox, **env)
    assert again.returncode == 2
    assert again.stderr.startswith("Error: ") and "not parked by the watchdog" in again.stderr
    assert "Traceback" not in again.stderr

    audit = run(["audit"], **env)
    assert audit.returncode == 0, audit.stderr
    assert "Parking: " in audit.stdout and "parked spell" in audit.stdout
    assert "Parking saved by team: " in audit.stdout


def test_resume_needs_arns_or_all_and_says_so(tmp_path: Path) -> None:
    env = {"WATCHDOG_STORE": f"sqlite:///{tmp_path / 'w.db'}"}
    for args in (["resume"], ["resume", "--all", "arn:aws:sagemaker:us-east-1:1:x/y"]):
        said = run(args, **env)
        assert said.returncode == 2
        assert said.stderr.strip() == "Error: name the parked resources' ARNs, or --all (not both)"

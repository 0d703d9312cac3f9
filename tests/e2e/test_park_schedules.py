"""Office hours run by the real processes on a minute-scale schedule (park on even minutes,
resume on odd ones): the daemon's parking tick, and the Lambda handler's scheduled events, each
park a sandbox endpoint (deleted, its config kept) and bring it back under the same ARN."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
from watchdog_sandbox.slack_api import SlackApi

from tests.e2e.conftest import free_port
from tests.e2e.daemons import start_daemon, wait_for

ENDPOINT = "llama3-8b-chat-poc"
POLICY = """\
policies:
  - name: minute-hours
    resource: [sagemaker-endpoint]
    conditions: {status: [InService]}
    action: park
    approval: {mode: automatic, grace: 0h}
    park: {at: "0-58/2 * * * *", resume: "1-59/2 * * * *", timezone: UTC}
"""
# A park waits for its even minute, a resume for the odd one after it: two minutes and change.
PATIENCE_S = 200.0
REPO = Path(__file__).resolve().parents[2]


def sagemaker(sandbox: str) -> Any:
    return boto3.client(
        "sagemaker",
        region_name="us-east-1",
        endpoint_url=sandbox,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def endpoint(sandbox: str) -> dict[str, Any] | None:
    listed = sagemaker(sandbox).list_endpoints(MaxResults=100)["Endpoints"]
    return next((e for e in listed if e["EndpointName"] == ENDPOINT), None)


def parked_then_back(sandbox: str, before: dict[str, Any], nudge: Any = None) -> None:
    """Wait for the endpoint to go (parked), then to be InService again under its ARN."""

    def gone() -> bool:
        if nudge is not None:
            nudge()
        return endpoint(sandbox) is None

    def back() -> dict[str, Any] | None:
        if nudge is not None:
            nudge()
        found = endpoint(sandbox)
        return found if found is not None and found["EndpointStatus"] == "InService" else None

    wait_for(gone, "the endpoint to be parked", PATIENCE_S)
    again = wait_for(back, "the endpoint to be back", PATIENCE_S)
    assert again["EndpointArn"] == before["EndpointArn"]
    configs = sagemaker(sandbox).list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
    assert f"{ENDPOINT}-config" in {c["EndpointConfigName"] for c in configs}


def test_the_daemon_parks_and_resumes_an_endpoint_on_its_tick(
    sandbox: str, slack: SlackApi, tmp_path: Path
) -> None:
    (tmp_path / "hours.yaml").write_text(POLICY)
    before = endpoint(sandbox)
    assert before is not None and before["EndpointStatus"] == "InService"
    daemon = start_daemon(
        sandbox,
        slack,
        tmp_path / "watchdog.db",
        free_port(),
        WATCHDOG_POLICIES=str(tmp_path / "hours.yaml"),
        WATCHDOG_PARKING_MINUTES="0.05",  # every 3 s
    )
    try:
        parked_then_back(sandbox, before)
    finally:
        daemon.send_signal(signal.SIGTERM)
        code = daemon.wait(timeout=60)
    log = (tmp_path / "daemon.log").read_text()
    assert code == 0 and "Traceback" not in log, log[-3000:]


HANDLER = """\
import json, sys
import lambda_handler
print(json.dumps(lambda_handler.handler(json.loads(sys.argv[1]), None)))
"""


def test_the_lambda_parks_and_resumes_an_endpoint_on_its_parking_events(
    sandbox: str, tmp_path: Path
) -> None:
    (tmp_path / "hours.yaml").write_text(POLICY)
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": sandbox,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "WATCHDOG_REGIONS": "us-east-1",
        "WATCHDOG_STORE": f"sqlite:///{tmp_path / 'watchdog.db'}",
        "WATCHDOG_CACHE_DIR": str(tmp_path / "cache"),
        "WATCHDOG_POLICIES": str(tmp_path / "hours.yaml"),
        "WATCHDOG_COST_EXPLORER": "false",
        "WATCHDOG_MODE": "enforce",
        "WATCHDOG_POLL_SECONDS": "0.1",
        "WATCHDOG_MAX_POLL_SECONDS": "0.5",
    }

    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-c", HANDLER, json.dumps(event)],
            capture_output=True,
            text=True,
            env=env,
            cwd=REPO,
            timeout=120,
        )
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
        answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return answer

    before = endpoint(sandbox)
    assert before is not None and before["EndpointStatus"] == "InService"
    cycle = invoke({"source": "aws.scheduler", "detail-type": "Scheduled Event", "detail": "{}"})
    assert cycle["errors"] == []
    # EventBridge Scheduler's parking schedule, every few seconds instead of 15 minutes.
    parked_then_back(sandbox, before, nudge=lambda: invoke({"watchdog": "parking"}))

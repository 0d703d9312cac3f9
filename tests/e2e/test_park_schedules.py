"""Office hours run by the real processes on a minute-scale schedule (park in the minute under
way, resume at the one after): the daemon's parking tick, and the Lambda handler's scheduled
events, each park a sandbox endpoint (deleted, its config kept) and bring it back under the
same ARN."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
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
    conditions: {{status: [InService]}}
    action: park
    approval: {{mode: automatic, grace: 0h}}
    park: {{at: "{at} * * * *", resume: "{resume} * * * *", timezone: UTC}}
"""
# The park is due in the minute under way (or the next), the resume at the minute after it.
PATIENCE_S = 200.0
LEAD_S = 30  # a process's start-up and first cycle, before the park minute ends
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


def wait_parked(sandbox: str, patience: float = PATIENCE_S) -> None:
    wait_for(lambda: endpoint(sandbox) is None, "the endpoint to be parked", patience)


def wait_back(sandbox: str, before: dict[str, Any], patience: float = PATIENCE_S) -> None:
    """Wait for the endpoint to be InService again, under its ARN and with its config."""

    def back() -> dict[str, Any] | None:
        found = endpoint(sandbox)
        return found if found is not None and found["EndpointStatus"] == "InService" else None

    again = wait_for(back, "the endpoint to be back", patience)
    assert again["EndpointArn"] == before["EndpointArn"]
    configs = sagemaker(sandbox).list_endpoint_configs(MaxResults=100)["EndpointConfigs"]
    assert f"{ENDPOINT}-config" in {c["EndpointConfigName"] for c in configs}


@dataclass(frozen=True)
class Schedule:
    """Park at one whole minute, resume at the next (unix times), as policy YAML."""

    park_at: float
    resume_at: float

    @classmethod
    def soon(cls) -> Schedule:
        """Parking in the minute under way (its park is due at once), unless too little of it
        is left for a process to start and park: then in the next."""
        now = time.time()
        start = int(now // 60) * 60
        if start + 60 - now < LEAD_S:
            start += 60
        return cls(start, start + 60)

    def policy(self) -> str:
        minute = int(self.park_at // 60) % 60
        return POLICY.format(at=minute, resume=(minute + 1) % 60)


def sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def test_the_daemon_parks_and_resumes_an_endpoint_on_its_tick(
    sandbox: str, slack: SlackApi, tmp_path: Path
) -> None:
    (tmp_path / "hours.yaml").write_text(Schedule.soon().policy())
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
        wait_parked(sandbox)
        wait_back(sandbox, before)
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
    schedule = Schedule.soon()
    (tmp_path / "hours.yaml").write_text(schedule.policy())
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
    # EventBridge's parking events, at the minutes the schedule parks and resumes (each
    # invocation waits for AWS to confirm its steps). Invoking every few seconds would cost a
    # process and its imports each time, for two minutes.
    sleep_until(schedule.park_at + 2)
    parked = invoke({"watchdog": "parking"})
    wait_parked(sandbox, patience=10)
    sleep_until(schedule.resume_at + 2)
    resumed = invoke({"watchdog": "parking"})
    wait_back(sandbox, before, patience=10)
    for answer in (parked, resumed):  # the demo account's other parkable endpoints too
        assert answer["park_findings"] >= 1, answer
        assert set(answer["steps_by_fate"]) <= {"done", "already"}, answer

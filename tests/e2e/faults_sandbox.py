"""The fault trials' sandbox: a sandbox server in a child process (this module run as `python
-m tests.e2e.faults_sandbox`), reset and re-seeded between trials on request. Re-seeding happens
inside that process because the seed backdates what it creates in the emulator's memory; a fresh
`ai-watchdog sandbox serve --seed` per trial would cost ~10 s, this costs ~1 s. Only the demo's
management account in us-east-1 is seeded, without metrics (the trials' policies do not look at
traffic), which is all the runs scan. See tests/e2e/faults.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from watchdog_sandbox.kinds import sandbox_kinds

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account: the demo's management account
JOURNAL_ENV = "WATCHDOG_SANDBOX_JOURNAL"
ANSWER = "faults-sandbox: "  # marks the child's answers on its stdout


def _serve() -> None:
    """The child: a sandbox server that re-seeds on `seed <journal path>` lines from stdin."""
    import functools
    import traceback
    from datetime import UTC, datetime

    from moto.moto_api._internal.models import moto_api_backend
    from watchdog_sandbox import seed as seed_module
    from watchdog_sandbox.seed_clients import AwsClients, service_trust_policy
    from watchdog_sandbox.seed_metrics import MetricWriter
    from watchdog_sandbox.seed_plan import management_plan
    from watchdog_sandbox.server import running_server, sandbox_session

    # No metrics (zero hours of them): the policy is about age, and writing eight days of
    # hourly series would triple the seed time. Patched in this process only.
    setattr(seed_module, "MetricWriter", functools.partial(MetricWriter, hours=0))  # noqa: B010

    def answer(message: Mapping[str, Any]) -> None:
        print(ANSWER + json.dumps(message), flush=True)

    with running_server() as url:
        clients = AwsClients(sandbox_session(), url)  # reused: creating clients costs ~1 s
        answer({"url": url})
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "journal":  # calls from now on go to this file
                os.environ[JOURNAL_ENV] = argument
                answer({"journal": argument})
                continue
            if command != "seed":
                answer({"error": f"unknown command {line.strip()!r}"})
                continue
            started = time.monotonic()
            try:
                os.environ.pop(JOURNAL_ENV, None)  # the seed's own calls are not the run's
                moto_api_backend.reset()
                now = datetime.now(UTC)
                iam = clients.iam()
                for role, service in (
                    (seed_module.SAGEMAKER_ROLE, "sagemaker.amazonaws.com"),
                    (seed_module.BEDROCK_ROLE, "bedrock.amazonaws.com"),
                ):
                    iam.create_role(
                        RoleName=role, AssumeRolePolicyDocument=service_trust_policy(service)
                    )
                plan = management_plan(now).regions[REGION]
                seeded, _ = seed_module.seed_region(clients, ACCOUNT, REGION, plan, now)
                os.environ[JOURNAL_ENV] = argument
                answer(
                    {
                        "seconds": time.monotonic() - started,
                        "resources": len(seeded),
                        "exempt": sorted(f"{r.kind} {r.name}" for r in seeded if r.exempt),
                        "kinds": sorted({r.kind for r in seeded}),
                    }
                )
            except Exception:
                answer({"error": traceback.format_exc()})


@dataclass
class Seeded:
    seconds: float
    resources: int
    exempt: list[str]
    # Ids the emulator made up (domain ids, throughput ARNs) -> stable names, for comparing
    # one seed's journal and audit log with another's.
    aliases: dict[str, str]


class Sandbox:
    """The child process above, and boto3 clients on it."""

    def __init__(self, log: Path) -> None:
        self.log = log
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.e2e.faults_sandbox"],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env={**clean_env(), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
            )
        self.url = ""

    @classmethod
    def start(cls, count: int, workdir: Path) -> list[Sandbox]:
        """`count` sandboxes, started together (each takes a few seconds to import moto)."""
        sandboxes = [cls(workdir / f"sandbox-{n}.log") for n in range(count)]
        try:
            for sandbox in sandboxes:
                sandbox._connect()
        except BaseException:
            for sandbox in sandboxes:
                sandbox.close()
            raise
        return sandboxes

    def _connect(self) -> None:
        self.url = str(self._answer()["url"])
        self.session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self.sagemaker = self.client("sagemaker")
        self.bedrock = self.client("bedrock")

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = ""
        while not line.startswith(ANSWER):  # anything else moto or werkzeug may print
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError(f"sandbox exited with {self.process.wait()}; see {self.log}")
        message: dict[str, Any] = json.loads(line.removeprefix(ANSWER))
        if "error" in message:
            raise RuntimeError(f"sandbox: {message['error']}")
        return message

    def seed(self, journal: Path) -> Seeded:
        """A fresh AWS: everything reset, the demo re-seeded, calls journaled to `journal`."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"seed {journal}\n")
        self.process.stdin.flush()
        message = self._answer()
        # The end state is only as good as what `remaining` sees: a seeded kind it misses
        # would let a trial lose it unnoticed.
        unseen = set(message["kinds"]) - {line.split()[0] for line in self.remaining()}
        if unseen:
            raise RuntimeError(
                f"the fault trials cannot see what is left of {', '.join(sorted(unseen))}: "
                "declare it in its sandbox module's SandboxKind.remaining"
            )
        return Seeded(message["seconds"], message["resources"], message["exempt"], self._aliases())

    def journal(self, journal: Path) -> None:
        """Journal the calls from now on to `journal` (a run's set-up went to another file)."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"journal {journal}\n")
        self.process.stdin.flush()
        self._answer()

    def _aliases(self) -> dict[str, str]:
        aliases = {d["DomainId"]: f"domain:{d['DomainName']}" for d in self._domains()}
        for pt in self.bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]:
            arn, name = pt["provisionedModelArn"], f"pt:{pt['provisionedModelName']}"
            aliases[arn] = name
            aliases[arn.rsplit("/", 1)[-1]] = name
        return aliases

    def _domains(self) -> list[dict[str, Any]]:
        return list(_pages(self.sagemaker.list_domains, "Domains"))

    def remaining(self) -> frozenset[str]:
        """What is left, as "<kind> <name> <status>" lines (names stable across seeds)."""
        sm, left = self.sagemaker, set()
        for e in _pages(sm.list_endpoints, "Endpoints"):
            left.add(f"sagemaker-endpoint {e['EndpointName']} {e['EndpointStatus']}")
        for c in _pages(sm.list_endpoint_configs, "EndpointConfigs"):
            left.add(f"sagemaker-endpoint-config {c['EndpointConfigName']}")
        for m in _pages(sm.list_models, "Models"):
            left.add(f"sagemaker-model {m['ModelName']}")
        for ic in _pages(sm.list_inference_components, "InferenceComponents"):
            name, status = ic["InferenceComponentName"], ic["InferenceComponentStatus"]
            left.add(f"sagemaker-inference-component {name} {status}")
        for n in _pages(sm.list_notebook_instances, "NotebookInstances"):
            status = n["NotebookInstanceStatus"]
            left.add(f"sagemaker-notebook-instance {n['NotebookInstanceName']} {status}")
        for t in _pages(sm.list_mlflow_tracking_servers, "TrackingServerSummaries"):
            status = t["TrackingServerStatus"]
            left.add(f"sagemaker-mlflow-tracking-server {t['TrackingServerName']} {status}")
        for d in self._domains():
            domain, ref = d["DomainName"], {"DomainIdEquals": d["DomainId"]}
            left.add(f"sagemaker-domain {domain} {d['Status']}")
            for p in _pages(sm.list_user_profiles, "UserProfiles", **ref):
                left.add(f"sagemaker-user-profile {domain}/{p['UserProfileName']} {p['Status']}")
            for s in _pages(sm.list_spaces, "Spaces", **ref):
                left.add(f"sagemaker-space {domain}/{s['SpaceName']} {s['Status']}")
            for a in _pages(sm.list_apps, "Apps", **ref):
                owner = a.get("UserProfileName") or a.get("SpaceName")
                app = f"{domain}/{owner}/{a['AppType']}/{a['AppName']}"
                left.add(f"sagemaker-app {app} {a['Status']}")
        answer = self.bedrock.list_provisioned_model_throughputs()
        for pt in answer["provisionedModelSummaries"]:
            name, status = pt["provisionedModelName"], pt["status"]
            left.add(f"bedrock-provisioned-throughput {name} {status}")
        for cm in self.bedrock.list_custom_models()["modelSummaries"]:
            left.add(f"bedrock-custom-model {cm['modelName']}")
        # The kinds with their own sandbox module say what of them is left.
        for declared in sandbox_kinds():
            left |= declared.remaining(self.client)
        return frozenset(left)

    def client(self, service: str) -> Any:
        return self.session.client(service, endpoint_url=self.url)  # type: ignore[call-overload]

    def close(self) -> None:
        """Its state is thrown away, so no orderly shutdown: SIGTERM ends it at once."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _pages(call: Any, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    while True:
        page = call(**params)
        yield from page.get(key, [])
        if not page.get("NextToken"):
            return
        params["NextToken"] = page["NextToken"]


def clean_env() -> dict[str, str]:
    """This environment without the caller's own AWS and WATCHDOG settings."""
    dropped = ("AWS_", "WATCHDOG_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


if __name__ == "__main__":
    _serve()

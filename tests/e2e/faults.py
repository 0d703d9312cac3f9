"""Fault injection for `ai-watchdog apply --execute`: kill it at a random point, resume it, and
check that the end state is the one an uninterrupted run reaches, with every change made once.

Shared by tests/e2e/test_apply_faults.py (a few dozen trials) and bench/faults.py (a hundred).

The pieces:
- `Sandbox`: a sandbox server in a child process (this module run as `python -m
  tests.e2e.faults`), reset and re-seeded between trials on request. Re-seeding happens inside
  that process because the seed backdates what it creates in the emulator's memory; a fresh
  `ai-watchdog sandbox serve --seed` per trial would cost ~10 s, this costs ~1 s. Only the demo's
  management account in us-east-1 is seeded, without metrics (the policy below does not look at
  traffic), which is all the runs scan.
- The witness: the sandbox's call journal (sandbox/watchdog_sandbox/journal.py), one JSON line per
  Delete*/Stop* request the emulator answered, with its parameters and HTTP status. It counts
  what AWS was asked to do, independently of the watchdog's own records.
- `Harness`: one uninterrupted reference run, then trials. A trial starts `apply --execute`,
  SIGKILLs it after a delay drawn (seeded) from [0, an uninterrupted run's wall time] (timed
  on the reference runs, then on every run that did the whole teardown by itself), then runs
  apply again, sleeping past the step lease between runs, until it exits 3 (nothing to do) or 0
  with nothing left. It then compares with the reference: the resources left per kind, the
  accepted Delete*/Stop* calls per resource (exactly one each, the same ones), and the store's
  audit log (exactly one "done" entry per step).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tests.e2e.conftest import cli

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account: the demo's management account
JOURNAL_ENV = "WATCHDOG_SANDBOX_JOURNAL"
ANSWER = "faults-sandbox: "  # marks the child's answers on its stdout

# Deletes with automatic approval and no grace: every run may act at once. Committed
# provisioned throughput cannot be deleted before its term ends, so only on-demand is chosen.
POLICY = """\
policies:
  - name: tear-down
    resource: [sagemaker-domain, sagemaker-endpoint, sagemaker-notebook-instance,
               sagemaker-mlflow-tracking-server]
    conditions: {older_than: 1h}
    action: delete
    approval: {mode: automatic, grace: 0h}
  - name: tear-down-throughput
    resource: [bedrock-provisioned-throughput]
    conditions: {older_than: 1h, billing: [on-demand]}
    action: delete
    approval: {mode: automatic, grace: 0h}
"""

EXIT_DONE, EXIT_PARTIAL, EXIT_NOTHING_TO_DO, EXIT_REFUSED = 0, 1, 3, 4
EXPECTED_EXITS = {EXIT_DONE, EXIT_PARTIAL, EXIT_NOTHING_TO_DO, EXIT_REFUSED}
LEFT_OVER = {"partial", "waiting", "needs-approval"}  # finding fates that leave work behind
RUN_TIMEOUT_S = 180


# --- The sandbox child process -------------------------------------------------------------


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
                [sys.executable, "-m", "tests.e2e.faults"],
                cwd=REPO,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                env={**_clean_env(), "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"},
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
        session = boto3.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        self.sagemaker = session.client("sagemaker", endpoint_url=self.url)
        self.bedrock = session.client("bedrock", endpoint_url=self.url)
        self.ec2 = session.client("ec2", endpoint_url=self.url)
        self.aoss = session.client("opensearchserverless", endpoint_url=self.url)
        self.agents = session.client("bedrock-agent", endpoint_url=self.url)

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
        for page in self.ec2.get_paginator("describe_instances").paginate():
            for instance in (i for r in page["Reservations"] for i in r["Instances"]):
                state = instance["State"]["Name"]
                if state in ("shutting-down", "terminated"):
                    continue  # terminated: gone, though DescribeInstances lists it for a while
                left.add(f"ec2-accelerated-instance {instance['InstanceId']} {state}")
        for cluster in _pages(sm.list_clusters, "ClusterSummaries"):
            name, status = cluster["ClusterName"], cluster["ClusterStatus"]
            left.add(f"sagemaker-hyperpod-cluster {name} {status}")
        return frozenset(left | self._knowledge_base_chains())

    def _knowledge_base_chains(self) -> set[str]:
        """Collections, knowledge bases and their data sources, as "<kind> <name> <status>"."""
        left = set()
        for c in self.aoss.list_collections()["collectionSummaries"]:
            left.add(f"opensearch-serverless-collection {c['name']} {c['status']}")
        for kb in self.agents.list_knowledge_bases()["knowledgeBaseSummaries"]:
            left.add(f"bedrock-knowledge-base {kb['name']} {kb['status']}")
            sources = self.agents.list_data_sources(knowledgeBaseId=kb["knowledgeBaseId"])
            for ds in sources["dataSourceSummaries"]:
                left.add(f"bedrock-data-source {kb['name']}/{ds['name']} {ds['status']}")
        return left

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


def _clean_env() -> dict[str, str]:
    """This environment without the caller's own AWS and WATCHDOG settings."""
    dropped = ("AWS_", "WATCHDOG_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


# --- The witness: the journal and the audit log, made comparable across seeds ---------------


def alias(text: str, aliases: Mapping[str, str]) -> str:
    for made_up in sorted(aliases, key=len, reverse=True):
        text = text.replace(made_up, aliases[made_up])
    return text


@dataclass(frozen=True)
class Call:
    """One journal line: a Delete*/Stop* request, named by what it acted on."""

    key: str  # e.g. "sagemaker:DeleteApp AppName=default,AppType=JupyterServer,DomainId=..."
    status: int
    at: float


def read_journal(path: Path, aliases: Mapping[str, str]) -> list[Call]:
    if not path.exists():
        return []
    calls = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        params = entry.get("params") or {}
        named = ",".join(
            f"{k}={alias(v, aliases)}" for k, v in sorted(params.items()) if isinstance(v, str)
        )
        if not named:  # a REST call: the resource is the last part of the path
            named = alias(urllib.parse.unquote(entry.get("path", "").rsplit("/", 1)[-1]), aliases)
        key = f"{entry['service']}:{entry['operation']} {named}"
        calls.append(Call(key, int(entry["status"]), float(entry["at"])))
    return calls


def accepted(calls: list[Call]) -> Counter[str]:
    return Counter(c.key for c in calls if 200 <= c.status < 300)


def refused(calls: list[Call]) -> Counter[str]:
    return Counter(c.key for c in calls if 400 <= c.status < 500)


def failed(calls: list[Call]) -> Counter[str]:
    return Counter(c.key for c in calls if c.status >= 500)


@dataclass
class Audit:
    done: Counter[str]  # "<op> <target>" of every outcome="done" entry
    by_run: Counter[str]  # run id -> entries written
    started: Counter[str]  # "<op> <target>" of "started" entries (one per attempt)


def read_audit(db: Path, aliases: Mapping[str, str]) -> Audit:
    from watchdog.store.sqlite import SqliteStore

    audit = Audit(Counter(), Counter(), Counter())
    if not db.exists():
        return audit
    store = SqliteStore(db)
    try:
        for entry in store.list_audit(limit=10000):
            what = f"{entry.op} {alias(entry.target_arn, aliases)}"
            audit.by_run[entry.run_id] += 1
            if entry.outcome == "done":
                audit.done[what] += 1
            elif entry.outcome == "started":
                audit.started[what] += 1
    finally:
        store.close()
    return audit


# --- Runs and trials -------------------------------------------------------------------------


@dataclass
class Run:
    code: int | None  # None: killed
    seconds: float
    stdout: str
    stderr: str
    result: dict[str, Any] | None  # the --format json answer, when it finished

    @property
    def run_id(self) -> str | None:
        return None if self.result is None else str(self.result["run_id"])

    def left_over(self) -> list[str]:
        """Findings this run left work on (partial, waiting...), as "<fate> <kind> <name>"."""
        findings = (self.result or {}).get("findings", [])
        return [
            f"{f['fate']} {f['resource_kind']} {f['resource_name']}: {f['reason']}"
            for f in findings
            # A blocked step (a resource its Auto Scaling group manages) waits for a person,
            # not for another run.
            if f["fate"] in LEFT_OVER and not f["reason"].startswith("blocked:")
        ]

    def describe(self) -> str:
        code = "killed" if self.code is None else f"exit {self.code}"
        summary = (self.result or {}).get("summary", {})
        text = f"{code} after {self.seconds:.2f} s {summary.get('by_fate', '')}"
        text += f" {summary.get('steps_by_fate', '')}"
        if self.stderr.strip():
            text += "\n      stderr: " + self.stderr.strip()[-2000:].replace("\n", "\n      ")
        return text


@dataclass
class EndState:
    remaining: frozenset[str]
    calls: list[Call]
    audit: Audit

    @property
    def accepted(self) -> Counter[str]:
        return accepted(self.calls)


@dataclass
class Reference:
    seconds: float  # wall time of the uninterrupted run (the mean over the lanes)
    runs: list[Run]  # per lane: the uninterrupted run, then one that must find nothing to do
    state: EndState
    exempt: list[str]


# Where a kill landed, from the journal at the kill and the audit log of the killed run.
#   before    it had made no call and written no audit entry
#   mid       some calls or records made, not all
#   after     every call made and every step recorded done; only the exit was left
#   finished  it ended by itself before the delay was up
PHASES = ("before", "mid", "after", "finished")


@dataclass
class Trial:
    index: int
    seed: int
    fraction: float  # the delay as a fraction of an uninterrupted run's wall time
    delay: float
    repro: str = ""
    prepared_run_ids: set[str] = field(default_factory=set)  # the set-up's runs, not the trial's
    phase: str = ""
    calls_at_kill: int = 0
    killed: Run | None = None
    resumed: list[Run] = field(default_factory=list)
    state: EndState | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def describe(self) -> str:
        lines = [
            f"trial {self.index} (seed {self.seed}): kill after {self.delay:.3f} s "
            f"({self.fraction:.3f} of an uninterrupted run) landed {self.phase}, "
            f"{self.calls_at_kill} calls accepted by then",
        ]
        if self.repro:
            lines.append(f"  reproduce: {self.repro}")
        if self.killed is not None:
            lines.append(f"  first run:  {self.killed.describe()}")
        for n, run in enumerate(self.resumed, 1):
            lines.append(f"  resumed #{n}: {run.describe()}")
            lines += [f"    left: {why}" for why in run.left_over()]
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        if self.state is not None:
            refused_calls = refused(self.state.calls)
            if refused_calls:
                lines.append(f"  refused calls (4xx): {dict(refused_calls)}")
        return "\n".join(lines)


class Harness:
    """Reference and trials over `lanes` sandboxes, one trial per lane at a time.

    What a trial kills is `command()`, after `prepare()`; both are hooks for another run mode
    (tests/e2e/park_faults.py kills parks and resumes)."""

    policy_text = POLICY
    # What the run that finds nothing left exits with.
    nothing_to_do = EXIT_NOTHING_TO_DO

    def __init__(
        self,
        workdir: Path,
        *,
        lanes: int = 2,
        lease_seconds: float = 0.2,
        poll_seconds: float = 0.05,
        max_poll_seconds: float = 0.2,
        max_resumes: int = 6,
    ) -> None:
        self.workdir = workdir
        self.lease_seconds = lease_seconds
        self.max_resumes = max_resumes
        self.policies = workdir / "policies"
        self.policies.mkdir(parents=True, exist_ok=True)
        (self.policies / "policies.yaml").write_text(self.policy_text)
        self.sandboxes = Sandbox.start(lanes, workdir)
        self.settings = {
            "WATCHDOG_CACHE_DIR": str(workdir / "cache"),
            "WATCHDOG_COST_EXPLORER": "false",
            "WATCHDOG_STEP_LEASE_SECONDS": str(lease_seconds),
            "WATCHDOG_POLL_SECONDS": str(poll_seconds),
            "WATCHDOG_MAX_POLL_SECONDS": str(max_poll_seconds),
        }
        self.reference: Reference | None = None
        self.seed_seconds: list[float] = []
        # Wall times of runs that did the whole teardown by themselves: what "an uninterrupted
        # run" takes now, re-measured as the trials go (the machine's load drifts).
        self.whole_runs: list[float] = []

    def close(self) -> None:
        for sandbox in self.sandboxes:
            sandbox.close()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # Runs.
    def _env(self, lane: int) -> dict[str, str]:
        return {
            **_clean_env(),
            "AWS_ENDPOINT_URL": self.sandboxes[lane].url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            **self.settings,
        }

    def command(self, out: Path) -> list[str]:
        """The run a trial kills and resumes, without its store; its JSON answer goes to `out`."""
        args = ["apply", "--execute", "--policies", str(self.policies), "--regions", REGION]
        return [*args, "--format", "json", "--output", str(out)]

    def prepare(self, lane: int, where: Path, trial: Trial | None) -> None:
        """Set-up after the seed, before the run a trial kills (for apply: nothing)."""

    def _start(self, lane: int, db: Path, out: Path) -> subprocess.Popen[str]:
        out.unlink(missing_ok=True)
        args = [*cli(), *self.command(out), "--store", f"sqlite:///{db}"]
        return subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self._env(lane)
        )

    def _finish(self, process: subprocess.Popen[str], out: Path, started: float) -> Run:
        stdout, stderr = process.communicate(timeout=RUN_TIMEOUT_S)
        seconds = time.monotonic() - started
        code = process.returncode
        if code < 0:  # ended by a signal: our SIGKILL
            return Run(None, seconds, stdout, stderr, None)
        result = json.loads(out.read_text()) if out.exists() and out.stat().st_size else None
        return Run(code, seconds, stdout, stderr, result)

    def run(self, lane: int, db: Path, out: Path) -> Run:
        started = time.monotonic()
        return self._finish(self._start(lane, db, out), out, started)

    def _seed(self, lane: int, journal: Path) -> Seeded:
        seeded = self.sandboxes[lane].seed(journal)
        self.seed_seconds.append(seeded.seconds)
        return seeded

    def _end_state(
        self, lane: int, journal: Path, db: Path, aliases: Mapping[str, str]
    ) -> EndState:
        return EndState(
            self.sandboxes[lane].remaining(),
            read_journal(journal, aliases),
            read_audit(db, aliases),
        )

    # The reference: on every lane at once (so it is timed under the trials' load), an
    # uninterrupted run, then one that must find nothing to do; all lanes must agree.
    def make_reference(self) -> Reference:
        with ThreadPoolExecutor(len(self.sandboxes)) as pool:
            answers = list(pool.map(self._reference, range(len(self.sandboxes))))
        problems = [p for _, _, _, found in answers for p in found]
        runs = [run for first, again, _, _ in answers for run in (first, again)]
        (_, _, (state, exempt), _), *others = answers
        for lane, (_, _, (other, _), _) in enumerate(others, 1):
            if (other.remaining, other.accepted, other.audit.done) != (
                state.remaining,
                state.accepted,
                state.audit.done,
            ):
                problems.append(f"lane {lane}'s uninterrupted run ended elsewhere than lane 0's")
        if problems:
            raise RuntimeError("the reference runs are not usable:\n" + "\n".join(problems))
        seconds = sum(first.seconds for first, _, _, _ in answers) / len(answers)
        self.reference = Reference(seconds, runs, state, exempt)
        self.whole_runs += [first.seconds for first, _, _, _ in answers]
        return self.reference

    def _reference(self, lane: int) -> tuple[Run, Run, tuple[EndState, list[str]], list[str]]:
        where = self.workdir / f"reference-{lane}"
        where.mkdir(parents=True, exist_ok=True)
        journal, db, out = where / "journal.jsonl", where / "store.db", where / "out.json"
        seeded = self._seed(lane, journal)
        self.prepare(lane, where, None)
        first = self.run(lane, db, out)
        again = self.run(lane, db, out)
        state = self._end_state(lane, journal, db, seeded.aliases)
        problems = []
        if first.code != EXIT_DONE or first.left_over():
            problems.append(f"the uninterrupted run: {first.describe()} {first.left_over()}")
        if again.code != self.nothing_to_do:
            problems.append(f"the run after it should have nothing to do: {again.describe()}")
        if not state.accepted or set(state.accepted.values()) != {1}:
            problems.append(f"calls per resource: {dict(state.accepted)}")
        gone = [e for e in seeded.exempt if not any(_names(r, e) for r in state.remaining)]
        if gone:
            problems.append(f"exempt resources gone: {gone}")
        return first, again, (state, seeded.exempt), problems

    # Trials.
    def run_trials(
        self, seed: int, count: int, only: Iterable[int] | None = None, repro: str = ""
    ) -> list[Trial]:
        """Trials `only` (default: all) of `count`, their kill points `fractions(seed, count)`,
        spread over the lanes. `repro` is a command line with {index} in it, for the report."""
        points = fractions(seed, count)
        wanted = list(range(count) if only is None else only)
        if self.reference is None:
            self.make_reference()
        lanes = len(self.sandboxes)
        queues = [wanted[lane::lanes] for lane in range(lanes)]

        def work(lane: int) -> list[Trial]:
            return [
                self.trial(i, seed, points[i], lane, repro.format(index=i)) for i in queues[lane]
            ]

        with ThreadPoolExecutor(lanes) as pool:
            done = [t for trials in pool.map(work, range(lanes)) for t in trials]
        return sorted(done, key=lambda t: t.index)

    def trial(
        self, index: int, seed: int, fraction: float, lane: int = 0, repro: str = ""
    ) -> Trial:
        reference = self.reference or self.make_reference()
        trial = Trial(index, seed, fraction, fraction * self.uninterrupted_seconds(), repro)
        began = time.monotonic()
        where = self.workdir / f"trial-{index:04d}"
        where.mkdir(parents=True, exist_ok=True)
        journal, db, out = where / "journal.jsonl", where / "store.db", where / "out.json"
        seeded = self._seed(lane, journal)
        self.prepare(lane, where, trial)

        started = time.monotonic()
        process = self._start(lane, db, out)
        time.sleep(max(0.0, started + trial.delay - time.monotonic()))
        if process.poll() is None:
            process.kill()  # SIGKILL: no handler runs, nothing is cleaned up, as in a crash
        trial.killed = self._finish(process, out, started)
        if trial.killed.code is not None:
            self._check_exit(trial, trial.killed)
        # Past the lease, the killed run's claims have expired, and the sandbox has answered
        # (and journaled) any request the run sent just before it died.
        time.sleep(self.lease_seconds * 1.5)
        trial.calls_at_kill = sum(accepted(read_journal(journal, seeded.aliases)).values())

        for attempt in range(self.max_resumes):
            if attempt:
                time.sleep(self.lease_seconds * 1.5)
            run = self.run(lane, db, out)
            trial.resumed.append(run)
            self._check_exit(trial, run)
            if run.code == self.nothing_to_do or (run.code == EXIT_DONE and not run.left_over()):
                break
        else:
            trial.problems.append(f"not settled after {self.max_resumes} resumed runs")

        trial.state = self._end_state(lane, journal, db, seeded.aliases)
        trial.phase = self._phase(trial, reference)
        self._compare(trial, reference)
        trial.seconds = time.monotonic() - began
        return trial

    def uninterrupted_seconds(self) -> float:
        """The median wall time of the last few runs that did the whole teardown."""
        recent = sorted(self.whole_runs[-5:])
        return recent[len(recent) // 2]

    def _note_whole(self, run: Run) -> None:
        assert self.reference is not None
        steps = (run.result or {}).get("summary", {}).get("steps_by_fate", {})
        if run.code == EXIT_DONE and steps == {
            "done": sum(self.reference.state.audit.done.values())
        }:
            self.whole_runs.append(run.seconds)

    def _check_exit(self, trial: Trial, run: Run) -> None:
        self._note_whole(run)
        if run.code not in EXPECTED_EXITS:
            trial.problems.append(f"unexpected exit code {run.code}: {run.describe()}")
        elif "Traceback" in run.stderr:
            trial.problems.append(f"a traceback: {run.describe()}")
        elif run.result is None:
            trial.problems.append(f"no JSON answer: {run.describe()}")

    def _phase(self, trial: Trial, reference: Reference) -> str:
        assert trial.killed is not None and trial.state is not None
        if trial.killed.code is not None:
            return "finished"
        resumed_ids = {r.run_id for r in trial.resumed} | trial.prepared_run_ids
        killed_entries = sum(
            n for run_id, n in trial.state.audit.by_run.items() if run_id not in resumed_ids
        )
        if trial.calls_at_kill == 0 and killed_entries == 0:
            return "before"
        resumed_done = sum(
            (r.result or {}).get("summary", {}).get("steps_by_fate", {}).get("done", 0)
            for r in trial.resumed
        )
        if trial.calls_at_kill == sum(reference.state.accepted.values()) and resumed_done == 0:
            return "after"
        return "mid"

    def _compare(self, trial: Trial, reference: Reference) -> None:
        assert trial.state is not None
        state, want = trial.state, reference.state
        if state.remaining != want.remaining:
            extra = sorted(state.remaining - want.remaining)
            missing = sorted(want.remaining - state.remaining)
            trial.problems.append(
                f"end state differs: left that the reference removed {extra}; "
                f"removed that the reference left {missing}"
            )
        got = state.accepted
        repeated = {k: n for k, n in got.items() if n > 1}
        skipped = sorted(k for k in want.accepted if k not in got)
        unexpected = sorted(k for k in got if k not in want.accepted)
        if repeated:
            trial.problems.append(f"calls repeated: {repeated}")
        if skipped:
            trial.problems.append(f"calls never made (skipped steps): {skipped}")
        if unexpected:
            trial.problems.append(f"calls the reference did not make: {unexpected}")
        errors = failed(state.calls)
        if errors:
            trial.problems.append(f"calls the sandbox failed on (5xx): {dict(errors)}")
        done = state.audit.done
        if done != want.audit.done:
            trial.problems.append(
                f"audit 'done' entries differ from the reference: {_diff(done, want.audit.done)}"
            )
        touched = [e for e in reference.exempt if any(_names(k, e) for k in got)]
        if touched:
            trial.problems.append(f"exempt resources were called on: {touched}")


def _names(text: str, resource: str) -> bool:
    """Whether a remaining-resource line or call key names `resource` ("<kind> <name>")."""
    kind, _, name = resource.partition(" ")
    if text.startswith(f"{kind} "):
        return text.split(" ")[1].split("/")[-1] == name
    return f"Name={name}," in f"{text}," or text.endswith(f" {name}")


def _diff(got: Counter[str], want: Counter[str]) -> dict[str, tuple[int, int]]:
    """Keys whose counts differ, as (got, wanted)."""
    return {k: (got[k], want[k]) for k in sorted(set(got) | set(want)) if got[k] != want[k]}


def fractions(seed: int, count: int) -> list[float]:
    """`count` kill points as fractions of a run, one uniform draw in each of `count` equal
    slices of [0, 1), shuffled: random, yet spread over the whole run however few there are."""
    rng = random.Random(seed)
    drawn = [(i + rng.random()) / count for i in range(count)]
    rng.shuffle(drawn)
    return drawn


def summary(trials: list[Trial], harness: Harness, seconds: float) -> str:
    """The figures bench/faults.py prints and the test shows on failure."""
    reference = harness.reference
    assert reference is not None
    want = reference.state.accepted
    phases = Counter(t.phase for t in trials)
    resumed = [len(t.resumed) for t in trials]
    counts = [t.state.accepted.get(k, 0) for t in trials if t.state for k in want]
    refused_calls: Counter[str] = Counter()
    for t in trials:
        if t.state is not None:
            for key, n in refused(t.state.calls).items():
                refused_calls[key.split(" ")[0]] += n
    exits = Counter(str(r.code) for t in trials for r in t.resumed)
    # A second "started" entry: a resumed run claimed a step the killed run had marked started
    # but not called yet (AWS still showed it untouched), and called it then, once.
    restarted = sum(n - 1 for t in trials if t.state for n in t.state.audit.started.values())
    n = max(1, len(trials))
    seeding = sum(harness.seed_seconds) / max(1, len(harness.seed_seconds))

    def row(label: str, value: object, note: str = "") -> str:
        return f"{label:34}{value:>9}   {note}".rstrip()

    return "\n".join(
        [
            row("trials", len(trials), f"seed {trials[0].seed}" if trials else ""),
            row("  failed", sum(1 for t in trials if t.problems)),
            row("  killed before any change", phases["before"]),
            row("  killed mid-teardown", phases["mid"]),
            row("  killed after every change", phases["after"], "(before it exited)"),
            row("  finished before the kill", phases["finished"]),
            row(
                "uninterrupted run",
                f"{reference.seconds:.2f} s",
                f"{sum(want.values())} calls on {len(want)} resources, "
                f"{len(reference.state.remaining)} resources left; "
                f"{harness.uninterrupted_seconds():.2f} s by the end",
            ),
            row(
                "resumed runs per trial",
                f"{sum(resumed) / n:.2f}",
                f"mean; max {max(resumed, default=0)}; exit codes {dict(sorted(exits.items()))}",
            ),
            row(
                "accepted calls per resource",
                f"{sum(counts) / max(1, len(counts)):.2f}",
                f"min {min(counts, default=0)}, max {max(counts, default=0)} (must be 1)",
            ),
            row("refused calls (4xx)", sum(refused_calls.values()), str(dict(refused_calls))),
            row("steps started again", restarted, "(killed between its record and its call)"),
            row(
                "wall time",
                f"{seconds:.1f} s",
                f"{seconds / n:.2f} s a trial, {seeding:.2f} s of it re-seeding",
            ),
        ]
    )


if __name__ == "__main__":
    _serve()

"""The sandbox server over real HTTP: seeded content, fresh state per server, clean shutdown."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest
from watchdog_sandbox.seed import DEMO_EXTERNAL_ID, MEMBER_ROLE_NAME
from watchdog_sandbox.server import IN_TURN_WAIT_S, _signed_for, running_server, sandbox_session

REGION = "us-east-1"


def _port_is_free(port: int) -> bool:
    """Whether a new server could listen on `port` (as servers do, with SO_REUSEADDR, so that
    connections still closing from the previous server do not count)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_listener(port: int, process: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early: {process.communicate()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"nothing listening on {port} after {timeout} s")


def test_seeded_server_answers_boto3_and_frees_its_port() -> None:
    session = boto3.Session(region_name=REGION)
    with running_server(seed=True) as url:
        port = urlparse(url).port
        assert port is not None and not _port_is_free(port)
        sm = session.client("sagemaker", endpoint_url=url)
        names = [e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]]
        assert len(names) == 14 and "llama3-8b-chat-poc" in names
        # The scanner discovers enabled regions this way.
        regions = session.client("ec2", endpoint_url=url).describe_regions()["Regions"]
        assert {"us-east-1", "us-west-2"} <= {r["RegionName"] for r in regions}

        accounts = session.client("organizations", endpoint_url=url).list_accounts()["Accounts"]
        (member_id,) = [a["Id"] for a in accounts if a["Name"] == "ml-sandbox"]
        # AWS retired Account.Status on 9 September 2026: State only, as AWS answers now.
        assert {a["State"] for a in accounts} == {"ACTIVE"}
        assert not any("Status" in a for a in accounts)
        creds = session.client("sts", endpoint_url=url).assume_role(
            RoleArn=f"arn:aws:iam::{member_id}:role/{MEMBER_ROLE_NAME}",
            RoleSessionName="test",
            ExternalId=DEMO_EXTERNAL_ID,
        )["Credentials"]
        member = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
        west = member.client("sagemaker", region_name="us-west-2", endpoint_url=url)
        assert [e["EndpointName"] for e in west.list_endpoints()["Endpoints"]] == [
            "orphaned-west-test"
        ]
    assert _port_is_free(port)


def test_each_server_starts_fresh_on_the_requested_port() -> None:
    port = _free_port()
    session = boto3.Session(region_name=REGION)
    with running_server(port=port) as url:
        assert url == f"http://127.0.0.1:{port}"
        sm = session.client("sagemaker", endpoint_url=url)
        assert sm.list_endpoints()["Endpoints"] == []
        sm.create_model(
            ModelName="leftover",
            ExecutionRoleArn="arn:aws:iam::123456789012:role/sagemaker",
            PrimaryContainer={"Image": "image:1"},
        )
    # The port is reusable at once, and nothing survives from the previous server.
    with running_server(port=port) as url:
        sm = session.client("sagemaker", endpoint_url=url)
        assert sm.list_models()["Models"] == []


@pytest.mark.slow  # left out of make test-fast; make test runs it
@pytest.mark.parametrize(("stop_signal", "seed"), [(signal.SIGTERM, False), (signal.SIGINT, True)])
def test_serve_runs_until_signalled(stop_signal: signal.Signals, seed: bool) -> None:
    port = _free_port()
    code = f"from watchdog_sandbox.server import serve; serve(port={port}, seed={seed})"
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        _wait_for_listener(port, process)
        url = f"http://127.0.0.1:{port}"
        sts = boto3.Session(region_name=REGION).client("sts", endpoint_url=url)
        assert sts.get_caller_identity()["Account"] == "123456789012"
        # The banner is printed once seeding is done; wait for it before signalling.
        banner = ""
        assert process.stdout is not None
        while "Press Ctrl+C" not in banner:
            line = process.stdout.readline()
            assert line, f"server closed stdout: {banner!r}"
            banner += line
        process.send_signal(stop_signal)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert f"export AWS_ENDPOINT_URL={url} AWS_ACCESS_KEY_ID=testing" in banner
    assert (f"WATCHDOG_EXTERNAL_ID={DEMO_EXTERNAL_ID}" in banner) is seed
    assert "stopped" in err
    assert _port_is_free(port)


def test_latency_is_added_to_each_request_and_overlaps_across_concurrent_ones() -> None:
    with running_server(latency_ms=300) as url:
        client = sandbox_session().client("sts", endpoint_url=url)
        client.get_caller_identity()  # connection and client warm
        started = time.monotonic()
        client.get_caller_identity()
        one = time.monotonic() - started
        with ThreadPoolExecutor(max_workers=4) as pool:
            started = time.monotonic()
            list(pool.map(lambda _: client.get_caller_identity(), range(4)))
            four = time.monotonic() - started
    assert one >= 0.3
    assert four < 4 * 0.3  # four at once take about one's time, as on AWS's wire


def test_the_dispatcher_finds_each_hosts_backend_as_moto_does_once() -> None:
    """The sandbox keeps moto's backend lookup per host (a directory listing and its URL
    patterns on every request otherwise): the same answer, asked once."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from watchdog_sandbox.server import _Dispatcher

    hosts = [
        None,
        "moto_api",
        "sagemaker",
        "api.sagemaker.us-east-1.amazonaws.com",
        "monitoring.us-west-2.amazonaws.com",
        "tagging.eu-west-1.amazonaws.com",
        "bedrock.us-east-1.amazonaws.com",
    ]
    theirs = DomainDispatcherApplication(create_backend_app)
    ours = _Dispatcher(create_backend_app)
    asked: list[str | None] = []
    original = DomainDispatcherApplication.get_backend_for_host

    def counted(self: Any, host: str | None) -> Any:
        asked.append(host)
        return original(self, host)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DomainDispatcherApplication, "get_backend_for_host", counted)
        for _ in range(3):
            assert [ours.get_backend_for_host(h) for h in hosts] == [
                original(theirs, h) for h in hosts
            ]
    assert asked == hosts  # each host looked up by moto once, however often asked


def test_a_sandbox_leaves_waitress_own_queue_warnings_to_the_daemon() -> None:
    """The demo runs a sandbox and the daemon's waitress server in one process: the sandbox
    quiets only its own queue's warnings."""
    shared = logging.getLogger("waitress.queue")
    level = shared.level
    with running_server() as url:
        sandbox_session().client("sts", endpoint_url=url).get_caller_identity()
    assert shared.level == level and shared.isEnabledFor(logging.WARNING)


def _counting_answers(monkeypatch: pytest.MonkeyPatch, hold: threading.Event | None) -> list[int]:
    """moto's GetCallerIdentity answering slowly, and [answers being computed now, most at
    once]. With `hold`, the first answer waits for it to be set."""
    from moto.sts.responses import TokenResponse

    original = TokenResponse.get_caller_identity
    counts, lock, first = [0, 0], threading.Lock(), threading.Event()

    def slow(self: Any) -> Any:
        with lock:
            counts[0] += 1
            counts[1] = max(counts)
        if hold is not None and not first.is_set():
            first.set()
            hold.wait(10)
        time.sleep(0.05)
        with lock:
            counts[0] -= 1
        return original(self)

    monkeypatch.setattr(TokenResponse, "get_caller_identity", slow)
    return counts


def test_concurrent_requests_overlap_their_wire_time_and_are_answered_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counts = _counting_answers(monkeypatch, hold=None)
    with running_server(latency_ms=300) as url:
        client = sandbox_session().client("sts", endpoint_url=url)
        client.get_caller_identity()
        with ThreadPoolExecutor(max_workers=4) as pool:
            started = time.monotonic()
            list(pool.map(lambda _: client.get_caller_identity(), range(4)))
            four = time.monotonic() - started
    assert counts[1] == 1  # never two answers computed at once
    assert four < 4 * 0.3  # while their wire time overlapped


def test_an_answer_that_blocks_does_not_stop_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    hold = threading.Event()
    _counting_answers(monkeypatch, hold=hold)
    with running_server() as url:
        client = sandbox_session().client("sts", endpoint_url=url)
        with ThreadPoolExecutor(max_workers=1) as pool:
            blocked = pool.submit(client.get_caller_identity)
            time.sleep(0.3)  # the first answer is held
            started = time.monotonic()
            other = sandbox_session().client("sts", endpoint_url=url).get_caller_identity()
            waited = time.monotonic() - started
            assert not blocked.done()
            hold.set()
            assert blocked.result()["Account"]
    assert other["Account"]
    # Answered after its wait for the service's turn (1 s), not after the held one (10 s).
    assert waited < 5


def test_each_service_takes_its_own_turns(monkeypatch: pytest.MonkeyPatch) -> None:
    """An STS answer does not wait for the IAM answer being computed."""
    from moto.iam.responses import IamResponse

    original = IamResponse.list_roles
    inside, release = threading.Event(), threading.Event()

    def held(self: Any) -> Any:
        inside.set()
        release.wait(10)
        return original(self)

    monkeypatch.setattr(IamResponse, "list_roles", held)
    with running_server() as url, ThreadPoolExecutor(max_workers=1) as pool:
        listing = pool.submit(sandbox_session().client("iam", endpoint_url=url).list_roles)
        assert inside.wait(10)
        started = time.monotonic()
        sandbox_session().client("sts", endpoint_url=url).get_caller_identity()
        waited = time.monotonic() - started
        release.set()
        assert "Roles" in listing.result()
    assert waited < IN_TURN_WAIT_S  # at once, not after a wait for another service's turn


def test_a_request_is_in_the_turn_of_the_service_it_is_signed_for() -> None:
    scope = "AWS4-HMAC-SHA256 Credential=testing/20261205/us-east-1/monitoring/aws4_request, "
    signed = {"HTTP_AUTHORIZATION": scope + "SignedHeaders=host, Signature=abc"}
    assert _signed_for(signed) == "monitoring"
    assert _signed_for({}) == ""
    assert _signed_for({"HTTP_AUTHORIZATION": "Bearer token"}) == ""

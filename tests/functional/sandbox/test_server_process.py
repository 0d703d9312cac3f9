"""The sandbox served from a child process (the benchmarks' way): the seed runs there, what it
returns comes back, the parent reaches the server over HTTP, and the child is gone after.

Run in a fresh interpreter: forking a pytest worker, with its threads, is not what the benches
do and could hang on a lock some thread held at the fork."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import urllib.error, urllib.request
    from watchdog_sandbox.server import sandbox_session, set_latency
    from watchdog_sandbox.server_process import running_server_process

    def seed(url):
        sagemaker = sandbox_session().client("sagemaker", endpoint_url=url)
        sagemaker.create_model(ModelName="from-the-child", ExecutionRoleArn=
            "arn:aws:iam::123456789012:role/r", PrimaryContainer={"Image": "i"})
        return {"seeded": 1}

    with running_server_process(seed_with=seed, latency_ms=5) as (url, seeded):
        set_latency(url, 0)
        sagemaker = sandbox_session().client("sagemaker", endpoint_url=url)
        names = [m["ModelName"] for m in sagemaker.list_models()["Models"]]
        print("seeded", seeded, "models", names)
    try:
        urllib.request.urlopen(url, timeout=5)
        print("still serving")
    except (urllib.error.URLError, ConnectionError):
        print("stopped")
    """
)


def test_the_child_seeds_serves_and_stops() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "seeded {'seeded': 1} models ['from-the-child']" in done.stdout
    assert done.stdout.strip().endswith("stopped")

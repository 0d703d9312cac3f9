"""Clients are made one at a time (a boto3 session is not thread-safe), but a client already
made is handed out without waiting for another being made."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from watchdog.aws.clients import ApiCallCounter, ClientFactory


def test_a_made_client_does_not_wait_for_another_being_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    factory = ClientFactory(session, ApiCallCounter())
    sagemaker = factory.client("sagemaker", "us-east-1")
    making, made = threading.Event(), threading.Event()

    def slow_client(service: str, **_: Any) -> object:
        making.set()
        assert made.wait(10)
        return object()

    monkeypatch.setattr(session, "client", slow_client)
    ec2 = threading.Thread(target=factory.client, args=("ec2", "us-east-1"))
    ec2.start()
    assert making.wait(10)
    handed: list[Any] = []

    def look_up() -> None:
        handed.append(factory.client("sagemaker", "us-east-1"))

    lookup = threading.Thread(target=look_up)
    lookup.start()
    lookup.join(5)
    released = not lookup.is_alive()
    made.set()
    ec2.join(10)
    lookup.join(10)
    assert released, "the made SageMaker client waited for EC2's to be made"
    assert handed == [sagemaker]

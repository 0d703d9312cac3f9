"""Clients are made one at a time (a boto3 session is not thread-safe), but a client already
made is handed out without waiting for another being made."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ParamValidationError

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


class _Sent(Exception):
    """The request got as far as being sent."""


def _sent(**_: Any) -> None:
    raise _Sent


def test_cloudwatch_requests_are_left_to_aws_to_check_and_the_others_are_checked() -> None:
    """The watchdog builds its CloudWatch requests itself (500-query GetMetricData calls, which
    botocore's check walks member by member): AWS checks them; every other service's are
    checked before sending, as botocore does by default."""
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    factory = ClientFactory(session, ApiCallCounter())
    cloudwatch = factory.client("cloudwatch", "us-east-1")
    sagemaker = factory.client("sagemaker", "us-east-1")
    for client in (cloudwatch, sagemaker):
        client.meta.events.register("before-send", _sent)

    with pytest.raises(_Sent):  # MetricDataQueries is required: AWS would refuse it
        cloudwatch.get_metric_data(StartTime=0, EndTime=1)
    with pytest.raises(ParamValidationError):
        sagemaker.describe_endpoint_config()
    assert cloudwatch.meta.config.retries == sagemaker.meta.config.retries  # adaptive, as all

"""Clients parse response timestamps with `fast_timestamp`: the same instants as botocore's
default parser, as UTC datetimes."""

import io
from datetime import UTC, datetime

import boto3
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.utils import parse_timestamp
from urllib3 import HTTPResponse

from watchdog.aws.clients import ApiCallCounter, ClientFactory, fast_timestamp


def test_epoch_numbers_give_the_instant_botocore_gives_in_utc() -> None:
    for value in (0, 1_733_300_000, 1_733_300_000.5, 4_102_444_800):
        parsed = fast_timestamp(value)
        assert parsed == parse_timestamp(value)
        assert parsed.tzinfo is UTC


def test_text_is_left_to_botocore() -> None:
    for text in ("2026-12-04T11:00:00Z", "Fri, 04 Dec 2026 11:00:00 GMT"):
        assert fast_timestamp(text) == parse_timestamp(text)


def test_a_factory_client_reads_response_timestamps_as_utc() -> None:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client = ClientFactory(session, ApiCallCounter()).client("sagemaker", "us-east-1")
    body = b'{"NotebookInstances": [{"NotebookInstanceName": "n", "NotebookInstanceArn": "a",'
    body += b' "CreationTime": 1733310000.0}]}'

    def answer(request: AWSPreparedRequest, **_: object) -> AWSResponse:
        raw = HTTPResponse(body=io.BytesIO(body), status=200, preload_content=False)
        return AWSResponse(request.url, 200, {"content-type": "application/x-amz-json-1.1"}, raw)

    client.meta.events.register("before-send", answer)
    (notebook,) = client.list_notebook_instances()["NotebookInstances"]
    # botocore's default parser would give the local zone (dateutil's tzlocal).
    assert notebook["CreationTime"] == datetime(2024, 12, 4, 11, 0, tzinfo=UTC)
    assert notebook["CreationTime"].tzinfo is UTC

"""The clients' JSON parser reads plain lists in one pass and gives exactly what botocore's own
parser gives: on generated answers to every JSON operation the scan and the signals call, and
through a factory client on a GetMetricData answer."""

import io
import json
from datetime import UTC, datetime
from typing import Any

import boto3
import botocore.session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.parsers import JSONParser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3 import HTTPResponse

from watchdog.aws.clients import ApiCallCounter, ClientFactory, fast_timestamp
from watchdog.aws.parsers import FastListsParserFactory

_MODELS = botocore.session.get_session()
OPERATIONS = [
    _MODELS.get_service_model(service).operation_model(name)
    for service, names in {
        "cloudwatch": ["GetMetricData", "ListMetrics", "DescribeAlarms"],
        "sagemaker": ["DescribeEndpointConfig", "Search", "ListEndpoints", "DescribeDomain"],
        "bedrock": ["ListProvisionedModelThroughputs", "ListCustomModels"],
    }.items()
    for name in names
]
TIMESTAMPS = st.one_of(
    st.integers(0, 4_102_444_800),
    st.floats(0, 4_102_444_800, allow_nan=False),
    st.just("2026-12-04T11:00:00Z"),
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "string": st.text(max_size=3),
    "integer": st.integers(-5, 5),
    "long": st.integers(-5, 5),
    "double": st.one_of(st.integers(-5, 5), st.floats(allow_nan=False)),
    "float": st.floats(allow_nan=False),
    "boolean": st.booleans(),
    "timestamp": TIMESTAMPS,
    "blob": st.just("aGk="),
}


def answer_to(shape: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON as AWS would send it for `shape`, nulls in lists included."""
    if shape.type_name in SCALARS:
        return SCALARS[shape.type_name]
    if depth > 4:
        return st.none()
    if shape.type_name == "list":
        item = st.one_of(st.none(), answer_to(shape.member, depth + 1))
        return st.lists(item, max_size=4)
    if shape.type_name == "map":
        return st.dictionaries(st.text(max_size=3), answer_to(shape.value, depth + 1), max_size=2)
    members = {
        member.serialization.get("name", name): answer_to(member, depth + 1)
        for name, member in shape.members.items()
        if not getattr(member, "is_document_type", False)
    }
    if shape.is_tagged_union:
        return st.one_of([st.fixed_dictionaries({k: v}) for k, v in members.items()])
    return st.fixed_dictionaries({}, optional=members)


def parsers() -> tuple[Any, Any]:
    factory = FastListsParserFactory()
    factory.set_parser_defaults(timestamp_parser=fast_timestamp)
    return factory.create_parser("json"), JSONParser(timestamp_parser=fast_timestamp)


def response(document: Any) -> dict[str, Any]:
    return {"body": json.dumps(document).encode(), "headers": {}, "status_code": 200}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), operation=st.sampled_from(OPERATIONS))
def test_every_answer_parses_as_botocore_parses_it(data: st.DataObject, operation: Any) -> None:
    document = data.draw(answer_to(operation.output_shape))
    fast, botocores = parsers()
    assert fast.parse(response(document), operation.output_shape) == botocores.parse(
        response(document), operation.output_shape
    )


def test_a_metric_answer_shares_each_hour_and_keeps_its_nulls() -> None:
    hours = [1_733_310_000 + 3600 * h for h in range(3)]
    series = [{"Id": f"q{i}", "Timestamps": hours, "Values": [0, 1.5, 2]} for i in range(2)]
    series[1]["Timestamps"] = [*hours[:2], None]
    operation = _MODELS.get_service_model("cloudwatch").operation_model("GetMetricData")
    fast, botocores = parsers()
    answer = response({"MetricDataResults": series})
    parsed = fast.parse(answer, operation.output_shape)
    assert parsed == botocores.parse(answer, operation.output_shape)
    first, second = (result["Timestamps"] for result in parsed["MetricDataResults"])
    assert first[0] is second[0] and first[0].tzinfo is UTC
    assert second[2] is None
    assert parsed["MetricDataResults"][0]["Values"] == [0, 1.5, 2]


def test_a_factory_client_parses_metric_answers_in_one_pass() -> None:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client = ClientFactory(session, ApiCallCounter()).client("cloudwatch", "us-east-1")
    body = json.dumps(
        {"MetricDataResults": [{"Id": "q0", "Timestamps": [1733310000], "Values": [3.0]}]}
    ).encode()

    def answer(request: AWSPreparedRequest, **_: object) -> AWSResponse:
        raw = HTTPResponse(body=io.BytesIO(body), status=200, preload_content=False)
        return AWSResponse(request.url, 200, {"content-type": "application/x-amz-json-1.0"}, raw)

    client.meta.events.register("before-send", answer)
    start, end = datetime(2024, 12, 4, tzinfo=UTC), datetime(2024, 12, 5, tzinfo=UTC)
    (result,) = client.get_metric_data(MetricDataQueries=[], StartTime=start, EndTime=end)[
        "MetricDataResults"
    ]
    assert result["Timestamps"] == [datetime(2024, 12, 4, 11, 0, tzinfo=UTC)]
    assert result["Values"] == [3.0]

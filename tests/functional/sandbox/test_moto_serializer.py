"""The sandbox remembers moto's serializer's attribute-name guesses and looks the remembered
names up itself (moto_serializer.py): every answer must be byte for byte what moto gives
without either, for answers of many shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
import watchdog_sandbox
from moto import mock_aws
from moto.core.serialize import AttributePicker, ResponseSerializer, XFormedAttributePicker
from watchdog_sandbox import moto_serializer
from watchdog_sandbox.seed import seed_demo_account

REGION = "us-east-1"


def _answers(session: boto3.Session) -> list[Any]:
    sm, bedrock = session.client("sagemaker"), session.client("bedrock")
    tagging = session.client("resourcegroupstaggingapi")
    configs = sm.list_endpoint_configs()["EndpointConfigs"]
    calls: list[Callable[[], Any]] = [
        lambda: sm.search(Resource="Endpoint", MaxResults=100),
        lambda: sm.list_endpoints(),
        lambda: sm.list_notebook_instances(),
        lambda: sm.list_domains(),
        lambda: [
            sm.describe_endpoint_config(EndpointConfigName=c["EndpointConfigName"]) for c in configs
        ],
        lambda: tagging.get_resources(),
        lambda: bedrock.list_custom_models(),
    ]
    answers = []
    for call in calls:
        answer = call()
        for each in answer if isinstance(answer, list) else [answer]:
            each.pop("ResponseMetadata", None)
            each.pop("PaginationToken", None)  # moto draws a new one for every call
        answers.append(answer)
    assert answers[0]["Results"] and answers[4], "the demo seeds endpoints"
    return answers


def test_answers_are_moto_s_own(monkeypatch: pytest.MonkeyPatch) -> None:
    watchdog_sandbox.install()
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        seed_demo_account(session)
        remembered = _answers(session)
        guesses = len(moto_serializer._REMEMBERED)
        assert guesses > 100
        assert _answers(session) == remembered
        assert len(moto_serializer._REMEMBERED) == guesses  # the same questions, not new ones
        with monkeypatch.context() as asking:  # the serializer looks remembered names up itself
            for picker in (AttributePicker, XFormedAttributePicker):
                asking.setattr(picker, "get_possible_keys", _never_asked)
            assert _answers(session) == remembered

        picking = ResponseSerializer.__dict__["get_value"]
        monkeypatch.setattr(ResponseSerializer, "get_value", picking.__wrapped__)
        assert _answers(session) == remembered  # moto's picker, asking remembered guesses

        for picker in (AttributePicker, XFormedAttributePicker):
            wrapped = picker.__dict__["get_possible_keys"]
            monkeypatch.setattr(picker, "get_possible_keys", wrapped.__wrapped__)
        assert _answers(session) == remembered


def _never_asked(*_args: Any) -> Any:
    raise AssertionError("a picker was asked a question already answered")

"""The sandbox answers moto's "has this response class this action?" without listing the
class (moto_actions.py): the answer must be moto's own for every name a request can ask."""

from __future__ import annotations

import moto.core.responses as responses
import pytest
import watchdog_sandbox
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.utils import method_names_from_class
from moto.resourcegroupstaggingapi.responses import ResourceGroupsTaggingAPIResponse
from moto.sagemaker.responses import SageMakerResponse
from watchdog_sandbox.moto_actions import FunctionsOf

CLASSES = (SageMakerResponse, CloudWatchResponse, ResourceGroupsTaggingAPIResponse)


@pytest.mark.parametrize("owner", CLASSES, ids=lambda owner: owner.__name__)
def test_every_name_is_answered_as_moto_lists_them(owner: type) -> None:
    watchdog_sandbox.install()  # the sandbox's own actions (Search...) are on the classes
    listed = set(method_names_from_class(owner))
    asked = FunctionsOf(owner)
    # Every attribute (functions, properties, class attributes, dunders) and names no class has.
    names = {*dir(owner), *listed, "no_such_action", "", "Search", "search_endpoints"}
    assert {name for name in names if name in asked} == listed
    assert 3 not in asked  # type: ignore[operator]
    if owner is SageMakerResponse:
        assert "search" in asked and "describe_endpoint_config" in asked


def test_installed_moto_asks_the_sandbox_s_answer() -> None:
    watchdog_sandbox.install()
    assert isinstance(responses.method_names_from_class(SageMakerResponse), FunctionsOf)
    watchdog_sandbox.install()  # idempotent: still one wrapper
    wrapped = responses.method_names_from_class
    assert not hasattr(getattr(wrapped, "__wrapped__", None), "__wrapped__")


def test_an_action_added_after_the_first_question_is_found() -> None:
    class Late(SageMakerResponse):
        pass

    asked = FunctionsOf(Late)
    assert "added_later" not in asked
    Late.added_later = lambda self: None  # type: ignore[attr-defined]
    assert "added_later" in asked and "added_later" in method_names_from_class(Late)

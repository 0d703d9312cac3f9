"""Current instance types for endpoint configs and notebook instances.

moto's allowlists stop at ml.g4dn/ml.p3/ml.inf1, so CreateEndpointConfig and
CreateNotebookInstance reject what teams actually deploy today (ml.g5, ml.g6, ml.p4d, ml.inf2,
ml.trn1...). The installed botocore's SageMaker model carries AWS's own lists (the enums
ProductionVariantInstanceType and InstanceType), so they stay as current as botocore. Anything
outside them still goes to moto's check, which rejects it with a ValidationException.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import botocore.session
from moto.sagemaker.models import FakeEndpointConfig, FakeSagemakerNotebookInstance

from watchdog_sandbox import sagemaker_common as common

_TAG = "watchdog.sagemaker_instance_types"


def install() -> None:
    common.wrap_method(
        FakeEndpointConfig,
        "validate_instance_type",
        _TAG,
        _accepting("ProductionVariantInstanceType"),
    )
    common.wrap_method(
        FakeSagemakerNotebookInstance, "validate_instance_type", _TAG, _accepting("InstanceType")
    )


@cache
def instance_types(shape: str) -> frozenset[str]:
    """The values of one of botocore's SageMaker instance-type enums."""
    model = botocore.session.get_session().get_service_model("sagemaker")
    enum: list[str] = model.shape_for(shape).metadata["enum"]
    return frozenset(enum)


def _accepting(shape: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def make(original: Callable[..., None]) -> Callable[..., None]:
        def validate_instance_type(self: Any, instance_type: str) -> None:
            if instance_type not in instance_types(shape):
                original(self, instance_type)

        return validate_instance_type

    return make

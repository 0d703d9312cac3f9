"""DeleteCustomModel by ARN, as AWS accepts it.

The API takes a model's name or ARN (`modelIdentifier`); moto 5.2.5's delete looks names up only
and answers ResourceNotFound for an ARN, though its GetCustomModel accepts both. The watchdog
deletes by ARN (names are unique only per account and region, ARNs everywhere).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.bedrock.models import BedrockBackend

from watchdog.sandbox import sagemaker_common as common

_TAG = "watchdog.bedrock_custom_models"


def install() -> None:
    common.wrap_method(BedrockBackend, "delete_custom_model", _TAG, _by_name_or_arn)


def _by_name_or_arn(original: Callable[..., None]) -> Callable[..., None]:
    def delete_custom_model(self: Any, model_identifier: str) -> None:
        # moto hands the path parameter over still URL-encoded.
        model_identifier = unquote(model_identifier)
        if model_identifier.startswith("arn:"):
            names = [k for k, m in self.custom_models.items() if m.model_arn == model_identifier]
            # Unknown: the name lookup below answers ResourceNotFound, as AWS would.
            model_identifier = names[0] if names else model_identifier
        original(self, model_identifier)

    return delete_custom_model

"""Custom models as AWS names and deletes them.

- DeleteCustomModel by ARN: the API takes a model's name or ARN (`modelIdentifier`); moto
  5.2.5's delete looks names up only and answers ResourceNotFound for an ARN, though its
  GetCustomModel accepts both. The watchdog deletes by ARN (names are unique only per account
  and region, ARNs everywhere).
- ARNs as AWS makes them: `custom-model/<base model id>/<12-character id>`, e.g.
  `custom-model/amazon.titan-text-express-v1:0:8k/ly16hhi765j4` (the pattern of
  `modelIdentifier` in botocore's Bedrock model requires this form); moto makes
  `custom-model/<name>`, which AWS would refuse in every call that takes the ARN.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.bedrock.models import BedrockBackend, CustomModel

from watchdog_sandbox import sagemaker_common as common

_TAG = "watchdog.bedrock_custom_models"


def install() -> None:
    common.wrap_method(BedrockBackend, "delete_custom_model", _TAG, _by_name_or_arn)
    common.wrap_method(CustomModel, "__init__", _TAG, _arn_as_aws_makes_it)


def _arn_as_aws_makes_it(original: Callable[..., None]) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        base_model = str(self.base_model_arn).rsplit("/", 1)[-1]
        # AWS's id is random; the name's digest keeps the sandbox's ARNs the same every run.
        digest = hashlib.sha256(f"{self.account_id}:{self.model_name}".encode()).hexdigest()
        prefix = self.model_arn.split(":custom-model/", 1)[0]
        self.model_arn = f"{prefix}:custom-model/{base_model}/{digest[:12]}"

    return __init__


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

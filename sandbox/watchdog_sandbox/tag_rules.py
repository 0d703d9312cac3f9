"""Tags as AWS accepts them, refused as AWS refuses them.

moto stores any tag. AWS checks every tag key and value against the service model's `TagKey` and
`TagValue` shapes (botocore ships them; read at install, so the sandbox follows AWS's models):

- SageMaker: keys 1-128 and values 0-256 characters of `([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)`:
  letters, separators and numbers of any script, and `_.:/=+-@`.
- Bedrock: the same lengths, `[a-zA-Z0-9\\s._:/=+@-]*`.

So no `#`, `<`, `>`, `!`, `|` or `,`: an owner tag cannot name a Slack channel `#team` on AWS, and
the sandbox must not let a test or the demo pretend otherwise. A refused request is AWS's
ValidationException, with AWS's "1 validation error detected" wording. Python's `re` cannot read
`\\p{...}`, so SageMaker's pattern is checked as what it says, character class by character
class (unicodedata), and the install asserts the model still says it.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import botocore.session
from moto.bedrock.responses import BedrockResponse
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.core.responses import ActionResult
from moto.sagemaker.exceptions import ValidationError as SageMakerValidation
from moto.sagemaker.responses import SageMakerResponse

_MARK = "_watchdog_tag_rules"
SAGEMAKER_PATTERN = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"
_SAGEMAKER_OTHERS = frozenset("_.:/=+-@")
# Request members holding tags, and the spelling of their entries.
_TAG_FIELDS = {
    "sagemaker": (("Tags",), "Key", "Value"),
    "bedrock": (("tags", "customModelTags", "jobTags"), "key", "value"),
}


def install() -> None:
    sagemaker = _model_shapes("sagemaker")
    assert sagemaker["TagValue"]["pattern"] == SAGEMAKER_PATTERN, "SageMaker's tag rule changed"
    _wrap(SageMakerResponse, "sagemaker", _sagemaker_ok, SageMakerValidation)
    _wrap(BedrockResponse, "bedrock", _bedrock_ok(), _bedrock_validation)


def _bedrock_validation(message: str) -> Exception:
    # moto's own Bedrock ValidationException replaces the message with a generic one; AWS's
    # answer carries the "1 validation error detected" text in `message`.
    return JsonRESTError("ValidationException", message)


@functools.cache
def _model_shapes(service: str) -> dict[str, dict[str, Any]]:
    model = botocore.session.get_session().get_service_model(service)
    return {name: dict(model.shape_for(name).metadata) for name in ("TagKey", "TagValue")}


def _sagemaker_ok(text: str) -> bool:
    return all(unicodedata.category(c)[0] in "LZN" or c in _SAGEMAKER_OTHERS for c in text)


def _bedrock_ok() -> Callable[[str], bool]:
    pattern = re.compile(_model_shapes("bedrock")["TagValue"]["pattern"], re.ASCII)
    return lambda text: pattern.fullmatch(text) is not None


def problem(service: str, body: dict[str, Any], allowed: Callable[[str], bool]) -> str | None:
    """AWS's message for the first tag the request's body carries that AWS would refuse."""
    fields, key_name, value_name = _TAG_FIELDS[service]
    shapes = _model_shapes(service)
    for field in fields:
        tags = body.get(field)
        if not isinstance(tags, list):
            continue
        for position, tag in enumerate(tags, start=1):
            for member, shape in ((key_name, "TagKey"), (value_name, "TagValue")):
                text = tag.get(member) if isinstance(tag, dict) else None
                if not isinstance(text, str):
                    continue
                rule = shapes[shape]
                where = f"{field[0].lower()}{field[1:]}.{position}.member.{member.lower()}"
                if not rule["min"] <= len(text) <= rule["max"]:
                    return _message(
                        text,
                        where,
                        f"Member must have length between {rule['min']} and {rule['max']}",
                    )
                if not allowed(text):
                    return _message(
                        text,
                        where,
                        f"Member must satisfy regular expression pattern: {rule['pattern']}",
                    )
    return None


def _message(value: str, where: str, constraint: str) -> str:
    return (
        f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy "
        f"constraint: {constraint}"
    )


def _wrap(
    responses: type, service: str, allowed: Callable[[str], bool], error: Callable[[str], Exception]
) -> None:
    original = responses.call_action  # type: ignore[attr-defined]
    if getattr(original, _MARK, False):
        return

    @functools.wraps(original)
    def call_action(self: Any) -> Any:
        try:
            body = json.loads(self.body) if self.body else {}
        except (TypeError, ValueError):
            body = {}
        why = problem(service, body, allowed) if isinstance(body, dict) else None
        if why is None:
            return original(self)
        refused: Any = error(why)
        if isinstance(refused, ServiceException):  # as moto's call_action answers one
            code, head, body = self.serialized(ActionResult(refused))
            answer = body, {**head, "status": code}
        else:
            answer = refused.description, {**dict(refused.get_headers()), "status": refused.code}
        status, headers, payload = self._transform_response(self.response_headers, answer)
        headers, payload = self._enrich_response(headers, payload)
        return status, headers, payload

    setattr(call_action, _MARK, True)
    setattr(responses, "call_action", call_action)  # noqa: B010 - moto typed it

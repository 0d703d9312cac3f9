"""moto's check that a response class has an action, without listing every member each request.

For every request, moto's `call_action` lists the response class's functions with
`inspect.getmembers` (hundreds of members for SageMaker, each fetched and tested) only to ask
whether the one action requested is among them: about 0.3 ms of a 2.3 ms DescribeEndpointConfig
answer (cProfile, in the server process of a 1,000-endpoint sandbox), CPU that AWS never spends
and that a benchmark on the sandbox counts as the watchdog's wait. The list's one use is that
membership test, so the sandbox gives moto an object that answers it directly, the way
`inspect.getmembers` decides: the name is one of the class's attributes and its value is a
plain function. Actions added to a class later (the sandbox's own) are seen, as before.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

import moto.core.responses as responses

from watchdog_sandbox import sagemaker_common as common

_TAG = "_watchdog_sandbox_actions_asked"


class FunctionsOf:
    """The names of `owner`'s functions, as `method_names_from_class` lists them, for `in`."""

    def __init__(self, owner: type) -> None:
        self.owner = owner

    def __contains__(self, name: object) -> bool:
        # A plain function found on a class is in its own or a base's namespace, so in
        # dir(owner): a metaclass's functions come back bound, not plain.
        return isinstance(name, str) and inspect.isfunction(getattr(self.owner, name, None))


def install() -> None:
    common.wrap_method(responses, "method_names_from_class", _TAG, _asking_directly)


def _asking_directly(_listing: Callable[[object], list[str]]) -> Callable[[type], FunctionsOf]:
    def method_names_from_class(owner: type) -> FunctionsOf:
        return FunctionsOf(owner)

    return method_names_from_class

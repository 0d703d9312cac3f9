"""AppConfig's records and errors, and the per-account state of the sandbox's AppConfig additions.

The moto glue (the control-plane handlers patched onto moto's appconfig, the appconfigdata
service, `install()`) and the rules AppConfig documents are in `appconfig`; this module is what
they keep and look up: environments, deployment strategies (the predefined AppConfig.* ones
included), deployments, configuration sessions with their tokens, and the errors both planes
answer. Apart from the handlers so that each file stays small and the records read in one place.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.appconfig.models import Application, ConfigurationProfile, appconfig_backends
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random

DATA_SERVICE = "appconfigdata"
# The predefined strategies (user guide "Predefined deployment strategies"); their ids are names.
PREDEFINED_STRATEGIES: dict[str, tuple[int, str, float, int]] = {
    # id: (DeploymentDurationInMinutes, GrowthType, GrowthFactor, FinalBakeTimeInMinutes)
    "AppConfig.AllAtOnce": (0, "LINEAR", 100.0, 10),
    "AppConfig.Linear50PercentEvery30Seconds": (1, "LINEAR", 50.0, 1),
    "AppConfig.Canary10Percent20Minutes": (20, "EXPONENTIAL", 10.0, 10),
    "AppConfig.Linear20PercentEvery6Minutes": (30, "LINEAR", 20.0, 30),
}


# --- errors ---------------------------------------------------------------------------------------
# The control plane's: REST JSON errors, each with its HTTP status.


class _ControlError(JsonRESTError):
    def __init__(self, code: int, error_type: str, message: str) -> None:
        self.code = code
        super().__init__(error_type, message)


def not_found(message: str) -> _ControlError:
    return _ControlError(404, "ResourceNotFoundException", message)


def bad_request(message: str) -> _ControlError:
    return _ControlError(400, "BadRequestException", message)


# AppConfig Data's, which moto serializes as the service model describes them.


class ResourceNotFoundException(ServiceException):
    code = "ResourceNotFoundException"

    def __init__(self, resource_type: str, message: str) -> None:
        super().__init__(message)
        self.resource_type = resource_type


class BadRequestException(ServiceException):
    code = "BadRequestException"


# --- state ----------------------------------------------------------------------------------------


@dataclass
class Environment:
    application_id: str
    id: str
    name: str
    description: str | None
    monitors: list[dict[str, str]]
    state: str = "ReadyForDeployment"

    def to_json(self) -> dict[str, Any]:
        return {
            "ApplicationId": self.application_id,
            "Id": self.id,
            "Name": self.name,
            "Description": self.description,
            "State": self.state,
            "Monitors": self.monitors,
        }


@dataclass
class Strategy:
    id: str
    name: str
    description: str | None
    duration_minutes: int
    growth_type: str
    growth_factor: float
    final_bake_minutes: int
    replicate_to: str = "NONE"

    def to_json(self) -> dict[str, Any]:
        return {
            "Id": self.id,
            "Name": self.name,
            "Description": self.description,
            "DeploymentDurationInMinutes": self.duration_minutes,
            "GrowthType": self.growth_type,
            "GrowthFactor": self.growth_factor,
            "FinalBakeTimeInMinutes": self.final_bake_minutes,
            "ReplicateTo": self.replicate_to,
        }


@dataclass
class Deployment:
    application_id: str
    environment_id: str
    number: int
    strategy: Strategy
    profile: ConfigurationProfile
    version: str
    description: str | None
    content: bytes
    content_type: str
    version_label: str | None
    started: float = field(default_factory=unix_time)

    def to_json(self) -> dict[str, Any]:
        return {
            "ApplicationId": self.application_id,
            "EnvironmentId": self.environment_id,
            "DeploymentStrategyId": self.strategy.id,
            "ConfigurationProfileId": self.profile.id,
            "DeploymentNumber": self.number,
            "ConfigurationName": self.profile.name,
            "ConfigurationLocationUri": self.profile.location_uri,
            "ConfigurationVersion": self.version,
            "Description": self.description,
            "DeploymentDurationInMinutes": self.strategy.duration_minutes,
            "GrowthType": self.strategy.growth_type,
            "GrowthFactor": self.strategy.growth_factor,
            "FinalBakeTimeInMinutes": self.strategy.final_bake_minutes,
            "State": "COMPLETE",
            "PercentageComplete": 100.0,
            "StartedAt": self.started,
            "CompletedAt": self.started,
            **({"VersionLabel": self.version_label} if self.version_label else {}),
        }


@dataclass
class Session:
    application_id: str
    environment_id: str
    profile_id: str
    poll_seconds: int
    served: int | None = None  # the deployment number this session last received


@dataclass
class Token:
    session: Session
    expires: datetime
    used: bool = False


class AppConfigState(BaseBackend):
    """Per-(account, region) state of the additions; moto resets it with its own."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.environments: dict[str, dict[str, Environment]] = {}  # by application id
        self.strategies: dict[str, Strategy] = {}
        self.deployments: dict[tuple[str, str], list[Deployment]] = {}  # by (app, environment)
        self.tokens: dict[str, Token] = {}

    @property
    def _url_module(self) -> Any:
        # moto derives the URL module from the backend's module name ("...models" -> "...urls").
        # The routes are in `appconfig`, beside the handlers they name; that module imports this
        # one, so it is looked up by name when moto asks, as moto's own derivation does.
        return importlib.import_module("watchdog_sandbox.appconfig")

    def strategy(self, strategy_id: str) -> Strategy:
        if strategy_id in PREDEFINED_STRATEGIES:
            duration, growth_type, factor, bake = PREDEFINED_STRATEGIES[strategy_id]
            return Strategy(strategy_id, strategy_id, None, duration, growth_type, factor, bake)
        if strategy_id not in self.strategies:
            raise not_found(f"Deployment strategy {strategy_id} not found")
        return self.strategies[strategy_id]

    def environment(self, application_id: str, environment_id: str) -> Environment:
        found = self.environments.get(application_id, {}).get(environment_id)
        if found is None:
            raise not_found(f"Environment {environment_id} not found")
        return found

    def latest(self, session: Session) -> Deployment | None:
        """The latest deployment of the session's profile to its environment."""
        deployments = self.deployments.get((session.application_id, session.environment_id), [])
        return next((d for d in reversed(deployments) if d.profile.id == session.profile_id), None)


appconfigdata_backends = BackendDict(AppConfigState, DATA_SERVICE)


# --- lookups --------------------------------------------------------------------------------------


def state(account_id: str, region: str) -> AppConfigState:
    found: AppConfigState = appconfigdata_backends[account_id][region]
    return found


def application(account_id: str, region: str, application_id: str) -> Application:
    app: Application = appconfig_backends[account_id][region].get_application(application_id)
    return app


def new_id() -> str:
    # AppConfig ids are seven lowercase letters and digits, like moto's applications'.
    return str(mock_random.get_random_hex(7))


def find(items: Any, identifier: str) -> Any:
    """By id, else by name (AppConfig Data takes either)."""
    items = list(items)
    return next((i for i in items if i.id == identifier), None) or next(
        (i for i in items if i.name == identifier), None
    )

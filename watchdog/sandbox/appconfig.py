"""AppConfig as a client reads it: environments, deployments and AppConfig Data, which moto lacks.

moto 5.2.5's `appconfig` has applications, configuration profiles and hosted configuration
versions, but no environments, deployment strategies or deployments, and there is no
`appconfigdata` (the data plane clients read configurations through) at all. This adds:
- appconfig: CreateEnvironment, GetEnvironment, ListEnvironments; CreateDeploymentStrategy,
  GetDeploymentStrategy (and the predefined AppConfig.* strategies); StartDeployment,
  GetDeployment;
- appconfigdata: StartConfigurationSession and GetLatestConfiguration.

What they do, as the AppConfig API reference and user guide describe it:
- a client only ever receives a deployed configuration: StartDeployment takes a hosted
  configuration version (as it is then) to an environment, and GetLatestConfiguration serves the
  latest deployment of that profile to that environment;
- StartConfigurationSession takes the application, environment and configuration profile each by
  id or by name, and answers ResourceNotFoundException (with its ResourceType) for one that is not
  there; RequiredMinimumPollIntervalInSeconds is 15..86400 and becomes NextPollIntervalInSeconds
  (default 60);
- a token is good for one GetLatestConfiguration call, for 24 hours (an expired one is a
  BadRequestException; so, here, is one already used or never issued); each answer carries the
  next token;
- a session's first answer carries the configuration, later ones an empty body until a newer
  deployment completes ("may return empty configuration data if the client already has the latest
  version").
Simplifications: every deployment completes at once whatever its strategy (State COMPLETE, 100%),
so none is ever in progress to conflict with or roll back; only hosted configurations deploy; lists
are not paged. A profile never deployed to the environment answers ResourceNotFoundException
(ResourceType Deployment) without using up the token: the reference does not say what AWS answers.

AppConfig Data signs its requests as `appconfig`, so moto's server sends them to the appconfig
app: its two routes are registered there too. In-process, its own host pattern routes them.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import types
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import moto.appconfig.urls as appconfig_urls
import moto.backend_index
from moto.appconfig.models import Application, ConfigurationProfile, appconfig_backends
from moto.appconfig.responses import AppConfigResponse
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.exceptions import JsonRESTError, ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import unix_time, utcnow
from moto.moto_api._internal import mock_random

DATA_SERVICE = "appconfigdata"
_DATA_URL_BASE = r"https?://appconfigdata\.(.+)\.amazonaws\.com"
TOKEN_LIFETIME = timedelta(hours=24)
DEFAULT_POLL_SECONDS = 60
POLL_SECONDS_RANGE = (15, 86400)
# The predefined strategies (user guide "Predefined deployment strategies"); their ids are names.
PREDEFINED_STRATEGIES: dict[str, tuple[int, str, float, int]] = {
    # id: (DeploymentDurationInMinutes, GrowthType, GrowthFactor, FinalBakeTimeInMinutes)
    "AppConfig.AllAtOnce": (0, "LINEAR", 100.0, 10),
    "AppConfig.Linear50PercentEvery30Seconds": (1, "LINEAR", 50.0, 1),
    "AppConfig.Canary10Percent20Minutes": (20, "EXPONENTIAL", 10.0, 10),
    "AppConfig.Linear20PercentEvery6Minutes": (30, "LINEAR", 20.0, 30),
}


# --- errors ---------------------------------------------------------------------------------------


class _ControlError(JsonRESTError):
    def __init__(self, code: int, error_type: str, message: str) -> None:
        self.code = code
        super().__init__(error_type, message)


def _not_found(message: str) -> _ControlError:
    return _ControlError(404, "ResourceNotFoundException", message)


def _bad_request(message: str) -> _ControlError:
    return _ControlError(400, "BadRequestException", message)


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
        return sys.modules[__name__]

    def strategy(self, strategy_id: str) -> Strategy:
        if strategy_id in PREDEFINED_STRATEGIES:
            duration, growth_type, factor, bake = PREDEFINED_STRATEGIES[strategy_id]
            return Strategy(strategy_id, strategy_id, None, duration, growth_type, factor, bake)
        if strategy_id not in self.strategies:
            raise _not_found(f"Deployment strategy {strategy_id} not found")
        return self.strategies[strategy_id]

    def environment(self, application_id: str, environment_id: str) -> Environment:
        found = self.environments.get(application_id, {}).get(environment_id)
        if found is None:
            raise _not_found(f"Environment {environment_id} not found")
        return found

    def latest(self, session: Session) -> Deployment | None:
        """The latest deployment of the session's profile to its environment."""
        deployments = self.deployments.get((session.application_id, session.environment_id), [])
        return next((d for d in reversed(deployments) if d.profile.id == session.profile_id), None)


appconfigdata_backends = BackendDict(AppConfigState, DATA_SERVICE)


def _state(account_id: str, region: str) -> AppConfigState:
    state: AppConfigState = appconfigdata_backends[account_id][region]
    return state


def _application(account_id: str, region: str, application_id: str) -> Application:
    app: Application = appconfig_backends[account_id][region].get_application(application_id)
    return app


def _new_id() -> str:
    # AppConfig ids are seven lowercase letters and digits, like moto's applications'.
    return str(mock_random.get_random_hex(7))


def _created(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return json.dumps(body), {"status": 201}


# --- appconfig: environments, strategies, deployments ----------------------------------------


def create_environment(self: Any) -> tuple[str, dict[str, Any]]:
    account_id, region = self.current_account, self.region
    app = _application(account_id, region, self._get_param("ApplicationId"))
    environment = Environment(
        application_id=app.id,
        id=_new_id(),
        name=self._get_param("Name"),
        description=self._get_param("Description"),
        monitors=self._get_param("Monitors") or [],
    )
    _state(account_id, region).environments.setdefault(app.id, {})[environment.id] = environment
    return _created(environment.to_json())


def get_environment(self: Any) -> str:
    account_id, region = self.current_account, self.region
    app = _application(account_id, region, self._get_param("ApplicationId"))
    environment = _state(account_id, region).environment(app.id, self._get_param("EnvironmentId"))
    return json.dumps(environment.to_json())


def list_environments(self: Any) -> str:
    account_id, region = self.current_account, self.region
    app = _application(account_id, region, self._get_param("ApplicationId"))
    environments = _state(account_id, region).environments.get(app.id, {}).values()
    return json.dumps({"Items": [e.to_json() for e in environments]})


def create_deployment_strategy(self: Any) -> tuple[str, dict[str, Any]]:
    growth_factor = self._get_param("GrowthFactor")
    if growth_factor is None or not 1 <= float(growth_factor) <= 100:
        raise _bad_request("GrowthFactor must be between 1.0 and 100.0")
    strategy = Strategy(
        id=_new_id(),
        name=self._get_param("Name"),
        description=self._get_param("Description"),
        duration_minutes=int(self._get_param("DeploymentDurationInMinutes")),
        growth_type=self._get_param("GrowthType") or "LINEAR",
        growth_factor=float(growth_factor),
        final_bake_minutes=int(self._get_param("FinalBakeTimeInMinutes") or 0),
        replicate_to=self._get_param("ReplicateTo") or "NONE",
    )
    _state(self.current_account, self.region).strategies[strategy.id] = strategy
    return _created(strategy.to_json())


def get_deployment_strategy(self: Any) -> str:
    strategy = _state(self.current_account, self.region).strategy(
        self._get_param("DeploymentStrategyId")
    )
    return json.dumps(strategy.to_json())


def start_deployment(self: Any) -> tuple[str, dict[str, Any]]:
    account_id, region = self.current_account, self.region
    state = _state(account_id, region)
    app = _application(account_id, region, self._get_param("ApplicationId"))
    environment = state.environment(app.id, self._get_param("EnvironmentId"))
    backend = appconfig_backends[account_id][region]
    profile = backend.get_configuration_profile(app.id, self._get_param("ConfigurationProfileId"))
    strategy = state.strategy(self._get_param("DeploymentStrategyId"))
    if profile.location_uri != "hosted":
        raise _bad_request("the sandbox deploys hosted configurations only")
    version_text = str(self._get_param("ConfigurationVersion"))
    if not version_text.isdigit():
        raise _bad_request(f"ConfigurationVersion {version_text!r} is not a hosted version number")
    version = profile.get_version(int(version_text))
    content = version.content
    deployments = state.deployments.setdefault((app.id, environment.id), [])
    deployment = Deployment(
        application_id=app.id,
        environment_id=environment.id,
        number=len(deployments) + 1,
        strategy=strategy,
        profile=profile,
        version=version_text,
        description=self._get_param("Description"),
        content=content.encode("utf-8") if isinstance(content, str) else bytes(content or b""),
        content_type=version.content_type or "application/octet-stream",
        version_label=version.version_label,
    )
    deployments.append(deployment)
    return _created(deployment.to_json())


def get_deployment(self: Any) -> str:
    account_id, region = self.current_account, self.region
    state = _state(account_id, region)
    app = _application(account_id, region, self._get_param("ApplicationId"))
    environment = state.environment(app.id, self._get_param("EnvironmentId"))
    number = int(self._get_param("DeploymentNumber"))
    for deployment in state.deployments.get((app.id, environment.id), []):
        if deployment.number == number:
            return json.dumps(deployment.to_json())
    raise _not_found(f"Deployment {number} not found")


_CONTROL_ACTIONS = {
    "create_environment": create_environment,
    "get_environment": get_environment,
    "list_environments": list_environments,
    "create_deployment_strategy": create_deployment_strategy,
    "get_deployment_strategy": get_deployment_strategy,
    "start_deployment": start_deployment,
    "get_deployment": get_deployment,
}
_APP = "{0}/applications/(?P<app_id>[^/]+)"
_CONTROL_PATHS = (
    _APP + "/environments$",
    _APP + "/environments/(?P<environment_id>[^/]+)$",
    _APP + "/environments/(?P<environment_id>[^/]+)/deployments$",
    _APP + "/environments/(?P<environment_id>[^/]+)/deployments/(?P<deployment_number>[^/]+)$",
    "{0}/deploymentstrategies$",
    "{0}/deploymentstrategies/(?P<strategy_id>[^/]+)$",
)


# --- appconfigdata ------------------------------------------------------------------------------


def _find(items: Any, identifier: str) -> Any:
    """By id, else by name (AppConfig Data takes either)."""
    items = list(items)
    return next((i for i in items if i.id == identifier), None) or next(
        (i for i in items if i.name == identifier), None
    )


class AppConfigDataResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name=DATA_SERVICE)
        self.automated_parameter_parsing = True

    def start_configuration_session(self) -> ActionResult:
        account_id, region = self.current_account, self.region
        app_ref = self._get_param("ApplicationIdentifier")
        environment_ref = self._get_param("EnvironmentIdentifier")
        profile_ref = self._get_param("ConfigurationProfileIdentifier")
        app = _find(appconfig_backends[account_id][region].applications.values(), app_ref)
        if app is None:
            raise ResourceNotFoundException("Application", f"Application {app_ref} not found")
        state = _state(account_id, region)
        environment = _find(state.environments.get(app.id, {}).values(), environment_ref)
        if environment is None:
            raise ResourceNotFoundException(
                "Environment", f"Environment {environment_ref} not found"
            )
        profile = _find(app.config_profiles.values(), profile_ref)
        if profile is None:
            raise ResourceNotFoundException(
                "ConfigurationProfile", f"ConfigurationProfile {profile_ref} not found"
            )
        poll = self._get_param("RequiredMinimumPollIntervalInSeconds")
        low, high = POLL_SECONDS_RANGE
        if poll is not None and not low <= int(poll) <= high:
            raise BadRequestException(
                f"RequiredMinimumPollIntervalInSeconds must be between {low} and {high}"
            )
        session = Session(app.id, environment.id, profile.id, int(poll or DEFAULT_POLL_SECONDS))
        return ActionResult({"InitialConfigurationToken": _issue(state, session)})

    def get_latest_configuration(self) -> tuple[bytes, dict[str, Any]]:
        state = _state(self.current_account, self.region)
        token = state.tokens.get(self._get_param("ConfigurationToken") or "")
        if token is None or token.used:
            raise BadRequestException("The configuration token is not valid or was already used")
        if utcnow() >= token.expires:
            raise BadRequestException("The configuration token has expired")
        session = token.session
        deployment = state.latest(session)
        if deployment is None:
            raise ResourceNotFoundException(
                "Deployment", "No configuration has been deployed to this environment"
            )
        token.used = True
        fresh = deployment.number != session.served
        session.served = deployment.number
        headers: dict[str, Any] = {
            "status": 200,
            "Next-Poll-Configuration-Token": _issue(state, session),
            "Next-Poll-Interval-In-Seconds": str(session.poll_seconds),
            "Content-Type": deployment.content_type,
        }
        if deployment.version_label:
            headers["Version-Label"] = deployment.version_label
        return (deployment.content if fresh else b""), headers


def _issue(state: AppConfigState, session: Session) -> str:
    token = secrets.token_urlsafe(96)
    state.tokens[token] = Token(session, utcnow() + TOKEN_LIFETIME)
    return token


_DATA_PATHS = {
    "{0}/configurationsessions$": AppConfigDataResponse.dispatch,
    "{0}/configuration$": AppConfigDataResponse.dispatch,
}
# What moto reads from a service's `urls` module.
url_bases = [_DATA_URL_BASE]
url_paths = dict(_DATA_PATHS)


def install() -> None:
    """Patch moto's appconfig and register appconfigdata (idempotent)."""
    for name, handler in _CONTROL_ACTIONS.items():
        setattr(AppConfigResponse, name, handler)
    for path in (*_CONTROL_PATHS, *_DATA_PATHS):
        # The data routes are here for the server, which routes by the signing name (appconfig).
        appconfig_urls.url_paths.setdefault(path, _DATA_PATHS.get(path, AppConfigResponse.dispatch))
    if not any(name == DATA_SERVICE for name, _ in moto.backend_index.backend_url_patterns):
        # In place, and first: the server's dispatcher holds a reference to this very list.
        pattern = re.compile(_DATA_URL_BASE)
        moto.backend_index.backend_url_patterns.insert(0, (DATA_SERVICE, pattern))
    if "moto.appconfigdata" not in sys.modules:
        module = types.ModuleType("moto.appconfigdata", "AppConfig Data (watchdog.sandbox)")
        module.appconfigdata_backends = appconfigdata_backends  # type: ignore[attr-defined]
        sys.modules["moto.appconfigdata"] = module

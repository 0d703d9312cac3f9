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

The records and the per-account state they live in are in `appconfig_models`; this module is the
glue: the handlers, the routes and `install()`.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import types
from datetime import timedelta
from typing import Any

import moto.appconfig.urls as appconfig_urls
import moto.backend_index
from moto.appconfig.models import appconfig_backends
from moto.appconfig.responses import AppConfigResponse
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import utcnow

from watchdog_sandbox import appconfig_models as models
from watchdog_sandbox.appconfig_models import (
    DATA_SERVICE,
    PREDEFINED_STRATEGIES,
    AppConfigState,
    BadRequestException,
    ResourceNotFoundException,
    appconfigdata_backends,
)

__all__ = [
    "DATA_SERVICE",
    "PREDEFINED_STRATEGIES",
    "AppConfigDataResponse",
    "AppConfigState",
    "BadRequestException",
    "ResourceNotFoundException",
    "appconfigdata_backends",
    "install",
    "url_bases",
    "url_paths",
]

_DATA_URL_BASE = r"https?://appconfigdata\.(.+)\.amazonaws\.com"
TOKEN_LIFETIME = timedelta(hours=24)
DEFAULT_POLL_SECONDS = 60
POLL_SECONDS_RANGE = (15, 86400)


# --- appconfig: environments, strategies, deployments ----------------------------------------


def _created(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return json.dumps(body), {"status": 201}


def create_environment(self: Any) -> tuple[str, dict[str, Any]]:
    account_id, region = self.current_account, self.region
    app = models.application(account_id, region, self._get_param("ApplicationId"))
    environment = models.Environment(
        application_id=app.id,
        id=models.new_id(),
        name=self._get_param("Name"),
        description=self._get_param("Description"),
        monitors=self._get_param("Monitors") or [],
    )
    environments = models.state(account_id, region).environments.setdefault(app.id, {})
    environments[environment.id] = environment
    return _created(environment.to_json())


def get_environment(self: Any) -> str:
    account_id, region = self.current_account, self.region
    app = models.application(account_id, region, self._get_param("ApplicationId"))
    state = models.state(account_id, region)
    environment = state.environment(app.id, self._get_param("EnvironmentId"))
    return json.dumps(environment.to_json())


def list_environments(self: Any) -> str:
    account_id, region = self.current_account, self.region
    app = models.application(account_id, region, self._get_param("ApplicationId"))
    environments = models.state(account_id, region).environments.get(app.id, {}).values()
    return json.dumps({"Items": [e.to_json() for e in environments]})


def create_deployment_strategy(self: Any) -> tuple[str, dict[str, Any]]:
    growth_factor = self._get_param("GrowthFactor")
    if growth_factor is None or not 1 <= float(growth_factor) <= 100:
        raise models.bad_request("GrowthFactor must be between 1.0 and 100.0")
    strategy = models.Strategy(
        id=models.new_id(),
        name=self._get_param("Name"),
        description=self._get_param("Description"),
        duration_minutes=int(self._get_param("DeploymentDurationInMinutes")),
        growth_type=self._get_param("GrowthType") or "LINEAR",
        growth_factor=float(growth_factor),
        final_bake_minutes=int(self._get_param("FinalBakeTimeInMinutes") or 0),
        replicate_to=self._get_param("ReplicateTo") or "NONE",
    )
    models.state(self.current_account, self.region).strategies[strategy.id] = strategy
    return _created(strategy.to_json())


def get_deployment_strategy(self: Any) -> str:
    strategy = models.state(self.current_account, self.region).strategy(
        self._get_param("DeploymentStrategyId")
    )
    return json.dumps(strategy.to_json())


def start_deployment(self: Any) -> tuple[str, dict[str, Any]]:
    account_id, region = self.current_account, self.region
    state = models.state(account_id, region)
    app = models.application(account_id, region, self._get_param("ApplicationId"))
    environment = state.environment(app.id, self._get_param("EnvironmentId"))
    backend = appconfig_backends[account_id][region]
    profile = backend.get_configuration_profile(app.id, self._get_param("ConfigurationProfileId"))
    strategy = state.strategy(self._get_param("DeploymentStrategyId"))
    if profile.location_uri != "hosted":
        raise models.bad_request("the sandbox deploys hosted configurations only")
    version_text = str(self._get_param("ConfigurationVersion"))
    if not version_text.isdigit():
        raise models.bad_request(
            f"ConfigurationVersion {version_text!r} is not a hosted version number"
        )
    version = profile.get_version(int(version_text))
    content = version.content
    deployments = state.deployments.setdefault((app.id, environment.id), [])
    deployment = models.Deployment(
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
    state = models.state(account_id, region)
    app = models.application(account_id, region, self._get_param("ApplicationId"))
    environment = state.environment(app.id, self._get_param("EnvironmentId"))
    number = int(self._get_param("DeploymentNumber"))
    for deployment in state.deployments.get((app.id, environment.id), []):
        if deployment.number == number:
            return json.dumps(deployment.to_json())
    raise models.not_found(f"Deployment {number} not found")


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


class AppConfigDataResponse(BaseResponse):
    def __init__(self) -> None:
        super().__init__(service_name=DATA_SERVICE)
        self.automated_parameter_parsing = True

    def start_configuration_session(self) -> ActionResult:
        account_id, region = self.current_account, self.region
        app_ref = self._get_param("ApplicationIdentifier")
        environment_ref = self._get_param("EnvironmentIdentifier")
        profile_ref = self._get_param("ConfigurationProfileIdentifier")
        app = models.find(appconfig_backends[account_id][region].applications.values(), app_ref)
        if app is None:
            raise ResourceNotFoundException("Application", f"Application {app_ref} not found")
        state = models.state(account_id, region)
        environment = models.find(state.environments.get(app.id, {}).values(), environment_ref)
        if environment is None:
            raise ResourceNotFoundException(
                "Environment", f"Environment {environment_ref} not found"
            )
        profile = models.find(app.config_profiles.values(), profile_ref)
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
        session = models.Session(
            app.id, environment.id, profile.id, int(poll or DEFAULT_POLL_SECONDS)
        )
        return ActionResult({"InitialConfigurationToken": _issue(state, session)})

    def get_latest_configuration(self) -> tuple[bytes, dict[str, Any]]:
        state = models.state(self.current_account, self.region)
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


def _issue(state: AppConfigState, session: models.Session) -> str:
    token = secrets.token_urlsafe(96)
    state.tokens[token] = models.Token(session, utcnow() + TOKEN_LIFETIME)
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
        module = types.ModuleType("moto.appconfigdata", "AppConfig Data (watchdog_sandbox)")
        module.appconfigdata_backends = appconfigdata_backends  # type: ignore[attr-defined]
        sys.modules["moto.appconfigdata"] = module

"""The plan's ages, written into the emulator after each resource is created.

The plan states how old each resource is (`age` on its spec, relative to the seed's `now`);
`backdate` sets the times on the in-process backend objects. Endpoint configs and models state no
age of their own: they were created just before the first endpoint (or inference component) that
uses them, as a deployment does, so their ages are derived from the endpoints'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from watchdog_sandbox import backdate
from watchdog_sandbox.seed_bedrock import CustomModelSpec, ThroughputSpec
from watchdog_sandbox.seed_sagemaker import ComponentSpec, EndpointSpec, NotebookSpec
from watchdog_sandbox.seed_studio import AppSpec, DomainSpec, TrackingServerSpec

# How long before its first user a config or model was created (a deployment's set-up steps).
SETUP_LEAD = timedelta(minutes=10)


def config_ages(endpoints: Iterable[EndpointSpec]) -> dict[str, timedelta]:
    """Each config's age: a little older than the oldest endpoint that uses it."""
    ages: dict[str, timedelta] = {}
    for endpoint in endpoints:
        if endpoint.age is not None:
            _at_least(ages, endpoint.config.name, endpoint.age + SETUP_LEAD)
    return ages


def model_ages(endpoints: Iterable[EndpointSpec]) -> dict[str, timedelta]:
    """Each model's age: a little older than the oldest config or component that uses it."""
    endpoints = list(endpoints)
    configs = config_ages(endpoints)
    ages: dict[str, timedelta] = {}
    for endpoint in endpoints:
        config_age = configs.get(endpoint.config.name)
        for variant in endpoint.config.variants:
            if variant.model is not None and config_age is not None:
                _at_least(ages, variant.model, config_age + SETUP_LEAD)
        for component in endpoint.components:
            component_age = endpoint.component_age(component)
            if component_age is not None:
                _at_least(ages, component.model, component_age + SETUP_LEAD)
    return ages


def _at_least(ages: dict[str, timedelta], name: str, age: timedelta) -> None:
    ages[name] = max(age, ages.get(name, age))


@dataclass(frozen=True)
class Ages:
    """Backdates one account-region's resources; each method returns the creation time it set
    (None when the spec states no age and the emulator's clock stays)."""

    account_id: str
    region: str
    now: datetime

    def at(self, age: timedelta | None) -> datetime | None:
        return None if age is None else self.now - age

    def model(self, name: str, age: timedelta | None) -> datetime | None:
        if (created := self.at(age)) is not None:
            backdate.model(self.account_id, self.region, name, created)
        return created

    def endpoint_config(self, name: str, age: timedelta | None) -> datetime | None:
        if (created := self.at(age)) is not None:
            backdate.endpoint_config(self.account_id, self.region, name, created)
        return created

    def endpoint(self, spec: EndpointSpec) -> datetime | None:
        if (created := self.at(spec.age)) is not None:
            backdate.endpoint(self.account_id, self.region, spec.name, created)
        return created

    def component(self, endpoint: EndpointSpec, spec: ComponentSpec) -> datetime | None:
        if (created := self.at(endpoint.component_age(spec))) is not None:
            backdate.inference_component(self.account_id, self.region, spec.name, created)
        return created

    def notebook(self, spec: NotebookSpec) -> tuple[datetime | None, datetime | None]:
        """(created, last modified): LastModifiedTime is its last start or stop."""
        created = self.at(spec.age)
        if created is None:
            return None, None
        modified = self.at(spec.in_status_for) or created
        backdate.notebook_instance(self.account_id, self.region, spec.name, created, modified)
        return created, modified

    def domain(self, spec: DomainSpec) -> datetime | None:
        if (created := self.at(spec.age)) is not None:
            backdate.domain(self.account_id, self.region, spec.name, created)
        return created

    def user_profile(self, domain_id: str, name: str, age: timedelta | None) -> datetime | None:
        if (created := self.at(age)) is not None:
            backdate.user_profile(self.account_id, self.region, domain_id, name, created)
        return created

    def space(self, domain_id: str, name: str, age: timedelta | None) -> datetime | None:
        if (created := self.at(age)) is not None:
            backdate.space(self.account_id, self.region, domain_id, name, created)
        return created

    def app(
        self, domain_id: str, owner: tuple[backdate.AppOwner, str], spec: AppSpec
    ) -> datetime | None:
        if (created := self.at(spec.age)) is not None:
            backdate.app(
                self.account_id, self.region, domain_id, owner, spec.app_type, spec.name, created
            )
        return created

    def tracking_server(self, spec: TrackingServerSpec) -> datetime | None:
        if (created := self.at(spec.age)) is not None:
            backdate.tracking_server(self.account_id, self.region, spec.name, created)
        return created

    def custom_model(self, spec: CustomModelSpec) -> datetime | None:
        if (created := self.at(spec.age)) is not None:
            backdate.custom_model(self.account_id, self.region, spec.name, created)
        return created

    def throughput(self, spec: ThroughputSpec) -> datetime | None:
        if (created := self.at(spec.age)) is not None:
            backdate.provisioned_throughput(self.account_id, self.region, spec.name, created)
        return created

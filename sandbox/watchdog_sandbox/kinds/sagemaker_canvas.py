"""Demo SageMaker Canvas sessions, through the seed hook (seed_kinds): Canvas apps of the demo's
Studio users, with the activity series Canvas itself publishes.

A Canvas app is a Studio app of type Canvas (named "default", as AWS names it), launched when its
user logs in to Canvas; the emulated CreateApp (sagemaker_apps.py) makes it. Canvas publishes
TimeSinceLastActive in `/aws/sagemaker/Canvas/AppActivity` per DomainId and UserProfileName, in
seconds (watchdog.kinds.sagemaker_app cites where AWS documents it); the seed writes it hourly
from the app's start, as low while its user works and growing once they stop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from watchdog_sandbox import backdate
from watchdog_sandbox.kinds import DemoTags, SandboxKind
from watchdog_sandbox.pricing import document, product_sku
from watchdog_sandbox.seed_kinds import KindSeed, SeedContext
from watchdog_sandbox.seed_metrics import hourly
from watchdog_sandbox.seed_summary import SeededResource

KIND = "sagemaker-app"
APP_TYPE: Final[Literal["Canvas"]] = "Canvas"
APP_NAME = "default"
NAMESPACE = "/aws/sagemaker/Canvas/AppActivity"
METRIC = "TimeSinceLastActive"
# Inactive this long is idle: the mark AWS's guide uses ("Logging out of Amazon SageMaker
# Canvas") and the shipped idle-canvas-sessions policy's window.
IDLE_AFTER = timedelta(hours=2)
# While the user works, the reading stays this low (seconds since their last click).
WORKING_S = 90.0


@dataclass(frozen=True)
class CanvasSession:
    """A Canvas app `age` old in `domain` for `user`, whose user was last active
    `inactive_for` before the seed's `now`."""

    domain: str
    user: str
    age: timedelta
    inactive_for: timedelta

    def seed(self, ctx: SeedContext) -> list[SeededResource]:
        sm = ctx.clients.sagemaker(ctx.region)
        domain_id = _domain_id(ctx, self.domain)
        sm.create_app(
            DomainId=domain_id, UserProfileName=self.user, AppType=APP_TYPE, AppName=APP_NAME
        )
        started = ctx.now - self.age
        owner: tuple[backdate.AppOwner, str] = ("user-profile", self.user)
        backdate.app(ctx.account_id, ctx.region, domain_id, owner, APP_TYPE, APP_NAME, started)
        self._metrics(ctx, domain_id, started)
        summary = ctx.seeded(KIND, f"{self.user}/{APP_TYPE}/{APP_NAME}", created_at=started)
        return [summary.model_copy(update={"idle": self.inactive_for >= IDLE_AFTER})]

    def _metrics(self, ctx: SeedContext, domain_id: str, since: datetime) -> None:
        last_active = ctx.now - self.inactive_for
        values = (
            (t, WORKING_S if t <= last_active else (t - last_active).total_seconds())
            for t in hourly(ctx.now, ctx.writer.hours, since)
        )
        dims = [("DomainId", domain_id), ("UserProfileName", self.user)]
        ctx.writer.series(NAMESPACE, METRIC, dims, values, "Seconds")


def _domain_id(ctx: SeedContext, name: str) -> str:
    for domain in ctx.clients.sagemaker(ctx.region).list_domains()["Domains"]:
        if domain["DomainName"] == name:
            return domain["DomainId"]
    raise LookupError(f"no Studio domain {name!r} in {ctx.region} to open Canvas in")


def canvas_sessions(domain: str = "genai-studio") -> tuple[CanvasSession, ...]:
    """The demo's, in its Studio domain: alice logged in to Canvas this morning and has been
    idle for five hours (billing for nothing); bob is at work in it, minutes ago."""
    return (
        CanvasSession(domain, "alice", timedelta(hours=8), timedelta(hours=5)),
        CanvasSession(domain, "bob", timedelta(hours=3), timedelta(minutes=4)),
    )


def demo_sessions(tags: DemoTags) -> tuple[KindSeed, ...]:
    """The demo's Canvas sessions, in the genai-studio domain the demo plan creates first."""
    return canvas_sessions()


# Canvas workspace session-hours under service code AmazonSageMaker. AWS documents only the usage
# type, "REGION-Canvas:Session-Hrs (Hrs)" (dev guide, "Billing and cost in SageMaker Canvas"): the
# productFamily below, the `operation` and every figure but us-east-1's $1.90 (AWS's Canvas
# pricing page) are made up.
SESSION_USAGE = "Canvas:Session-Hrs"
SESSION_PRICES = {"us-east-1": "1.90", "us-west-2": "1.90", "eu-west-1": "2.07"}


def session_products(header: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One Canvas session-hour product per region, as watchdog's sagemaker-app kind asks for it."""
    products = []
    for region, usd in SESSION_PRICES.items():
        prefix = header["regions"][region]["usagePrefix"]
        attributes = {"usagetype": f"{prefix}-{SESSION_USAGE}", "operation": "Canvas"}
        sku = product_sku(header["serviceCode"], SESSION_USAGE, region)
        price = (usd, "Hrs", f"${usd} per SageMaker Canvas session hour")
        products.append(document(dict(header), region, sku, "Canvas", attributes, price))
    return products


SANDBOX = SandboxKind(products=session_products, demo=demo_sessions)

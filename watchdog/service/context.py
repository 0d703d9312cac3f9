"""A `Service`: everything a cycle, a click or an approval page needs, built once from settings.

Bad settings fail here, at start-up, with one line naming the setting, not at the first click.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import boto3

from watchdog.act import Clients, Clock, SessionClients, SystemClock
from watchdog.approvals.authorize import Approvers
from watchdog.approvals.tokens import link_secret
from watchdog.aws.clients import ApiCallCounter
from watchdog.aws.policy_sources import load_configured_policies
from watchdog.aws.scope import named_roles
from watchdog.cache import Cache
from watchdog.notify.options import NotifyOptions, ReviewLinks
from watchdog.notify.sender import Sender, sender_from_settings
from watchdog.policies.schema import Policy
from watchdog.settings import Settings
from watchdog.store.base import Store


class ServiceConfigError(ValueError):
    """A setting the service cannot run with; the message names it."""


@dataclass
class Service:
    settings: Settings
    store: Store
    sender: Sender | None = None
    session: boto3.Session | None = None
    clock: Clock = field(default_factory=SystemClock)
    notify_options: NotifyOptions = field(default_factory=NotifyOptions)
    signing_secret: str | None = None
    link_key: bytes | None = None
    loaded_policies: list[Policy] | None = None
    # Where runs cache prices, Cost Explorer answers and descriptions: the store in a Lambda
    # (its /tmp lasts only as long as its container); None, files in the cache directory.
    cache: Cache | None = None

    @property
    def policies(self) -> list[Policy]:
        """Read on first use: a Slack click or an approval page, which never needs them,
        answers without fetching them (from S3 or AppConfig) inside Slack's 3 seconds."""
        if self.loaded_policies is None:
            self.reload_policies()
        assert self.loaded_policies is not None
        return self.loaded_policies

    def reload_policies(self) -> None:
        """Read the policies again (the daemon does, every cycle); on a PolicyError the ones
        already loaded stay."""
        self.loaded_policies = load_configured_policies(self.settings.policies, self.session)

    @property
    def approvers(self) -> Approvers:
        return Approvers.parse(self.settings.slack_approvers)

    def clients(self) -> Clients:
        """Clients in any account the settings reach (member accounts through the role)."""
        settings = self.settings
        roles = named_roles(settings.accounts, settings.member_role)
        return SessionClients(
            self.session or boto3.Session(),
            ApiCallCounter(),
            settings.member_role,
            settings.external_id,
            roles,
        )

    def close(self) -> None:
        self.store.close()


def build_service(
    settings: Settings,
    store: Store,
    *,
    session: boto3.Session | None = None,
    clock: Clock | None = None,
    sender: Sender | None = None,
    cache_in_store: bool = False,
) -> Service:
    """The service for `settings`; `sender` overrides the one the Slack settings make;
    `cache_in_store`: runs cache in the store, not in files (a Lambda)."""
    key = _link_key(settings)
    links = None
    # A link approves for whoever opens it: with an approver allowlist, only Slack's Approve
    # button (which knows who clicked) may approve, so no links are handed out.
    if key is not None and settings.public_url and not Approvers.parse(settings.slack_approvers):
        links = ReviewLinks(key, settings.public_url, timedelta(hours=settings.link_hours))
    signing = settings.slack_signing_secret
    return Service(
        settings=settings,
        store=store,
        sender=sender if sender is not None else sender_from_settings(settings),
        session=session,
        clock=clock or SystemClock(),
        notify_options=NotifyOptions(
            default_channel=settings.slack_channel,
            channels=settings.slack_channel_set(),
            digest=settings.slack_digest,
            snooze_days=settings.slack_snooze_days,
            links=links,
        ),
        signing_secret=signing.get_secret_value() if signing else None,
        link_key=key,
        cache=store if cache_in_store else None,
    )


def _link_key(settings: Settings) -> bytes | None:
    if settings.link_secret is None:
        return None
    try:
        return link_secret(settings.link_secret.get_secret_value())
    except ValueError as error:
        raise ServiceConfigError(str(error)) from error

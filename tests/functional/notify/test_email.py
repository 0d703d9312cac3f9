"""Email through SES v2 against moto: one digest per recipient per cycle, with both parts, the
signed links and every AWS text escaped; what SES refuses is told on the next cycle, and what
was told is never sent again.

moto refuses an unverified sender as SES does (MessageRejected) but has no sandbox: the
`sandbox` fixture makes it refuse unverified recipients too, with SES's own message."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto.ses.exceptions import MessageRejectedError
from moto.ses.models import SESBackend, ses_backends

from tests.fakes import FakeClock
from tests.unit.act.test_admission_rules import finding
from tests.unit.evaluate.factories import endpoint
from watchdog.findings import Finding
from watchdog.notify.deliver import made_by
from watchdog.notify.email import EmailChannel, channel_from_settings
from watchdog.notify.options import ReviewLinks
from watchdog.notify.outbound import ChannelResult, ReminderRule, tell
from watchdog.notify.weekly import Digest, DigestLine
from watchdog.service.channels import tell_channels
from watchdog.service.context import build_service
from watchdog.settings import Settings
from watchdog.store.sqlite import SqliteStore

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SENDER = "watchdog@example.com"
ALICE, BOB, FINOPS, LEAD = (
    "alice@example.com",
    "bob@ml.example.com",
    "finops@example.com",
    "lead@example.com",
)
LINKS = ReviewLinks(b"k" * 32, "https://watchdog.example.com")
HOSTILE = "<img src=x onerror=alert(1)>&"
ACCOUNT, REGION = "123456789012", "us-east-1"


@pytest.fixture
def session(aws: None) -> boto3.Session:
    session = boto3.Session(region_name=REGION)
    session.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    return session


@pytest.fixture
def requests(session: boto3.Session) -> list[dict[str, Any]]:
    """Every SendEmail request as sent (moto keeps only one part of a message)."""
    seen: list[dict[str, Any]] = []
    session.events.register(
        "before-parameter-build.sesv2.SendEmail", lambda params, **_: seen.append(params)
    )
    return seen


@pytest.fixture
def sandbox(session: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """SES's sandbox: a recipient must be a verified identity (address or domain) too."""
    send = SESBackend.send_email

    def refusing(backend: SESBackend, source: str, subject: str, body: str, destinations: Any):
        for address in (a for addresses in destinations.values() for a in addresses):
            if not backend._is_verified_address(address):
                raise MessageRejectedError(
                    "Email address is not verified. The following identities failed the "
                    f"check in region {REGION.upper()}: {address}"
                )
        return send(backend, source, subject, body, destinations)

    monkeypatch.setattr(SESBackend, "send_email", refusing)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path / "watchdog.db")
    yield opened
    opened.close()


def sent() -> list[Any]:
    return list(ses_backends[ACCOUNT][REGION].sent_messages)


def to(message: Any) -> list[str]:
    return list(message.destinations["ToAddresses"])


def channel(session: boto3.Session, **settings: Any) -> EmailChannel:
    made = channel_from_settings(Settings(email_from=SENDER, **settings), session)
    assert made is not None
    return made


def cycle(
    store: SqliteStore,
    email: EmailChannel,
    run_id: str,
    findings: list[Finding],
    now: datetime = NOW,
    rules: dict[str, ReminderRule] | None = None,
) -> ChannelResult:
    store.save_findings(run_id, findings, now)
    return tell(store, email, now, current=made_by(run_id, None), rules=rules, links=LINKS)


def test_each_owner_gets_one_digest_with_both_parts_the_money_and_the_links(
    session: boto3.Session, requests: list[dict[str, Any]], store: SqliteStore
) -> None:
    findings = [
        finding(id="f-1", owner=ALICE, monthly_cost_usd=1000.0, resource=endpoint("llm-a")),
        finding(id="f-2", owner=ALICE, monthly_cost_usd=234.4, resource=endpoint("llm-b")),
        finding(id="f-3", owner=BOB, monthly_cost_usd=50.0, resource=endpoint("llm-c")),
    ]

    result = cycle(store, channel(session, email_to=FINOPS), "r1", findings)

    assert (result.sent, result.failed, result.calls) == (3, [], 2)
    assert sorted(to(m)[0] for m in sent()) == [ALICE, BOB]
    request = next(r for r in requests if r["Destination"]["ToAddresses"] == [ALICE])
    simple = request["Content"]["Simple"]
    assert request["FromEmailAddress"] == SENDER
    assert simple["Subject"] == {
        "Data": "2 idle AI resources, $1,234/month at stake",
        "Charset": "UTF-8",
    }
    text, page = simple["Body"]["Text"]["Data"], simple["Body"]["Html"]["Data"]
    assert simple["Body"]["Text"]["Charset"] == simple["Body"]["Html"]["Charset"] == "UTF-8"
    for part in (text, page):
        assert "Delete: sagemaker-endpoint llm-a" in part and "llm-b" in part
        assert "$1,000.00/month" in part and "$234.40/month" in part
        assert findings[0].resource.account in part and "finding f-1" in part
        assert findings[0].resource.region in part
        assert "https://watchdog.example.com/approve/" in part
        assert "llm-c" not in part  # Bob's finding is in Bob's email only
    assert 'name="viewport"' in page and "Review and approve delete" in page


def test_every_text_from_aws_or_a_policy_is_escaped_in_the_html(
    session: boto3.Session, requests: list[dict[str, Any]], store: SqliteStore
) -> None:
    hostile = finding(owner=ALICE, resource=endpoint(HOSTILE), reason=f"idle {HOSTILE}")

    cycle(store, channel(session), "r1", [hostile])

    [request] = requests
    page = request["Content"]["Simple"]["Body"]["Html"]["Data"]
    assert "<img" not in page and "onerror=alert(1)>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;" in page
    assert HOSTILE in request["Content"]["Simple"]["Body"]["Text"]["Data"]  # plain text: as is
    assert "<" not in request["Content"]["Simple"]["Subject"]["Data"]


def test_an_owner_that_is_no_address_mail_may_go_to_is_told_through_the_fallback(
    session: boto3.Session, store: SqliteStore
) -> None:
    findings = [
        finding(id="f-team", owner="ml-team"),
        finding(id="f-outside", owner="mallory@elsewhere.org"),
        finding(id="f-nobody", owner=None),
    ]

    result = cycle(store, channel(session, email_to=f"{FINOPS},{LEAD}"), "r1", findings)

    assert result.sent == 3
    assert sorted(to(m)[0] for m in sent()) == [FINOPS, LEAD]  # one message each, alone
    assert all("3 idle AI resources" in m.subject for m in sent())
    assert all("mallory@elsewhere.org" in m.body for m in sent())  # named, not mailed


def test_without_a_fallback_a_finding_with_no_address_is_left_untold(
    session: boto3.Session, store: SqliteStore
) -> None:
    result = cycle(store, channel(session), "r1", [finding(owner="ml-team")])

    assert (result.sent, result.failed, result.calls, sent()) == (0, [], 0, [])


def test_an_escalated_finding_goes_to_the_policys_addresses_as_well(
    session: boto3.Session, store: SqliteStore
) -> None:
    rules = {
        "idle": ReminderRule(
            remind_after=timedelta(days=3),
            escalate_after=timedelta(days=7),
            escalate_to=(LEAD, "#finops-leads", "S0LEADS01"),
        )
    }
    email = channel(session)
    quiet = [finding(owner=ALICE)]

    for day in (0, 1, 3, 4, 8, 9):
        cycle(store, email, f"r{day}", quiet, NOW + timedelta(days=day), rules)

    subjects = [(to(m), m.subject) for m in sent()]
    assert subjects == [
        ([ALICE], "1 idle AI resource, $100/month at stake"),
        ([ALICE], "Reminder: 1 idle AI resource, $100/month at stake"),
        ([ALICE], "Escalated: 1 idle AI resource, $100/month at stake"),
        ([LEAD], "Escalated: 1 idle AI resource, $100/month at stake"),
    ]
    assert f"no answer from {ALICE} in 8 days" in sent()[-1].body


def test_later_changes_say_the_state_who_and_when_and_a_parked_one_offers_resume(
    session: boto3.Session, store: SqliteStore
) -> None:
    email = channel(session)
    cycle(store, email, "r1", [finding(owner=ALICE)])
    store.set_finding_state("f-1", "approved", "slack:U0ALICE001", NOW + timedelta(hours=1))
    later = NOW + timedelta(hours=2)
    tell(store, email, later, current=made_by(None, None), links=LINKS)
    store.set_finding_state("f-1", "parked", "office hours", NOW + timedelta(hours=3))
    tell(store, email, later, current=made_by(None, None), links=LINKS)

    _, approved, parked = sent()
    assert approved.subject == "AI cost watchdog: 1 update (1 approved)"
    assert "Approved - slack:U0ALICE001 - 2026-11-27 13:00 UTC" in approved.body
    assert "/approve/" not in approved.body  # nothing left to approve
    assert "Parked - office hours - 2026-11-27 15:00 UTC" in parked.body
    assert "https://watchdog.example.com/resume/" in parked.body and "Resume now" in parked.body


@pytest.mark.usefixtures("sandbox")
def test_a_recipient_ses_refuses_is_told_next_cycle_and_the_others_are_not_told_again(
    session: boto3.Session, store: SqliteStore
) -> None:
    email = channel(session, email_domains="*")
    findings = [finding(id="f-alice", owner=ALICE), finding(id="f-bob", owner=BOB)]
    sesv2 = session.client("sesv2")
    sesv2.create_email_identity(EmailIdentity=ALICE)

    first = cycle(store, email, "r1", findings)
    sesv2.create_email_identity(EmailIdentity="ml.example.com")  # Bob's domain, verified
    second = cycle(store, email, "r2", findings)
    third = cycle(store, email, "r3", findings)

    assert first.sent == 1 and len(first.failed) == 1
    assert first.failed[0].startswith(f"f-bob: email to {BOB}: MessageRejected: Email address")
    assert (second.sent, second.failed) == (1, [])
    assert (third.sent, third.calls) == (0, 0)
    assert [to(m) for m in sent()] == [[ALICE], [BOB]]


def test_an_unverified_sender_stops_the_cycle_after_one_call(
    session: boto3.Session, store: SqliteStore
) -> None:
    email = channel_from_settings(
        Settings(email_from="nobody@unverified.example", email_domains="example.com"), session
    )
    assert email is not None
    findings = [finding(id="f-1", owner=FINOPS), finding(id="f-2", owner=LEAD)]

    result = cycle(store, email, "r1", findings)

    assert (result.sent, result.calls, len(result.failed)) == (0, 1, 2)
    assert all("MessageRejected" in line for line in result.failed)


def test_throttling_stops_the_cycle_and_everything_goes_next_cycle(
    session: boto3.Session, store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    once = Config(retries={"mode": "standard", "total_max_attempts": 1})
    email = EmailChannel(session.client("sesv2", config=once), SENDER)
    findings = [finding(id="f-1", owner=ALICE), finding(id="f-2", owner=FINOPS)]
    send = SESBackend.send_email

    def throttled(*args: Any, **kwargs: Any) -> Any:
        from moto.core.exceptions import JsonRESTError

        raise JsonRESTError("TooManyRequestsException", "Too many requests")

    monkeypatch.setattr(SESBackend, "send_email", throttled)
    first = cycle(store, email, "r1", findings)
    monkeypatch.setattr(SESBackend, "send_email", send)
    second = cycle(store, email, "r2", findings)

    assert (first.sent, first.calls, len(first.failed)) == (0, 1, 2)
    assert all("TooManyRequestsException" in line for line in first.failed)
    assert (second.sent, second.calls) == (2, 2)


def test_a_digest_too_large_for_one_message_is_split(
    session: boto3.Session, store: SqliteStore
) -> None:
    email = EmailChannel(session.client("sesv2"), SENDER, max_bytes=6_000)
    findings = [finding(id=f"f-{n}", owner=ALICE) for n in range(4)]

    result = cycle(store, email, "r1", findings)

    assert result.sent == 4 and len(sent()) > 1
    assert all(to(m) == [ALICE] for m in sent())


def test_the_service_tells_email_once_configured_by_its_settings(
    session: boto3.Session, store: SqliteStore
) -> None:
    settings = Settings(
        email_from=SENDER,
        email_to=FINOPS,
        link_secret="s" * 32,
        public_url="https://watchdog.example.com",
    )
    service = build_service(settings, store, session=session, clock=FakeClock(NOW))
    service.loaded_policies = []
    store.save_findings("r1", [finding(owner=ALICE), finding(id="f-2", owner="ml-team")], NOW)

    first = tell_channels(service, run_id="r1")
    again = tell_channels(service, run_id="r1")

    assert first["email"].sent == 2 and again["email"].sent == 0
    assert sorted(to(m)[0] for m in sent()) == [ALICE, FINOPS]
    assert all("https://watchdog.example.com/approve/" in m.body for m in sent())
    assert channel_from_settings(Settings(), session) is None


def test_the_weekly_digest_goes_to_the_fallback_addresses_with_the_reports_link(
    session: boto3.Session, requests: list[dict[str, Any]]
) -> None:
    report = Digest(
        period="2026-W48",
        generated_at=NOW,
        at_stake_usd=1234.0,
        could_save_usd=1000.0,
        resources=3,
        unpriced=0,
        saved_week_usd=56.0,
        saved_by_teardown_usd=50.0,
        saved_by_parking_usd=6.0,
        waiting=2,
        waiting_usd=900.0,
        top=[
            DigestLine(
                name=HOSTILE,
                kind="sagemaker-endpoint",
                where="1 us-east-1",
                monthly_cost_usd=900.0,
                owner="ml-team",
            )
        ],
        report_url="https://watchdog.example.com/report/t",
    )

    why = channel(session, email_to=f"{FINOPS},{LEAD}").deliver_digest(report, NOW)

    assert why is None
    assert sorted(to(m)[0] for m in sent()) == [FINOPS, LEAD]
    simple = requests[0]["Content"]["Simple"]
    assert simple["Subject"]["Data"] == report.headline
    page = simple["Body"]["Html"]["Data"]
    assert 'href="https://watchdog.example.com/report/t"' in page and "<img" not in page
    assert "https://watchdog.example.com/report/t" in simple["Body"]["Text"]["Data"]

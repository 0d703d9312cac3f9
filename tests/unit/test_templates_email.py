"""template.yaml's email: without EmailFrom the function has no email setting and may send
nothing; with it, it may send from that one address only, through its account's SES."""

from __future__ import annotations

from typing import Any

from tests.unit.sam import actions, deploy, function_env, sam_template, statements

__all__ = ["deploy", "sam_template"]  # fixtures, used by name

IDENTITIES = "arn:${AWS::Partition}:ses:${EmailRegionOrOwn}:${AWS::AccountId}:identity/*"


def test_without_a_sender_the_function_sends_no_email(deploy: Any) -> None:
    template = deploy()

    assert "SendEmail" not in statements(template, "WatchdogFunctionRole")
    assert not [k for k in function_env(template) if k.startswith("WATCHDOG_EMAIL_")]


def test_with_a_sender_it_may_send_from_that_address_only(deploy: Any) -> None:
    template = deploy(EmailFrom="watchdog@example.com", EmailTo="finops@example.com")

    send = statements(template, "WatchdogFunctionRole")["SendEmail"]
    assert actions(send) == {"ses:SendEmail"}
    assert send["Condition"] == {"StringEquals": {"ses:FromAddress": {"Ref": "EmailFrom"}}}
    [arn, names] = send["Resource"]["Fn::Sub"]
    assert arn == IDENTITIES
    assert names["EmailRegionOrOwn"] == {"Ref": "AWS::Region"}
    env = function_env(template)
    assert env["WATCHDOG_EMAIL_FROM"] == {"Ref": "EmailFrom"}
    assert env["WATCHDOG_EMAIL_TO"] == {"Ref": "EmailTo"}
    assert "WATCHDOG_EMAIL_REGION" not in env and "WATCHDOG_EMAIL_DOMAINS" not in env


def test_an_email_region_names_the_identities_there(deploy: Any) -> None:
    template = deploy(EmailFrom="watchdog@example.com", EmailRegion="eu-west-1")

    send = statements(template, "WatchdogFunctionRole")["SendEmail"]
    assert send["Resource"]["Fn::Sub"][1]["EmailRegionOrOwn"] == {"Ref": "EmailRegion"}
    assert function_env(template)["WATCHDOG_EMAIL_REGION"] == {"Ref": "EmailRegion"}

import pytest

from watchdog.aws.scope import AccountTarget, ScopeError, check_regions, parse_accounts
from watchdog.settings import Settings

ROLE = "arn:aws:iam::210987654321:role/WatchdogMember"


def test_no_accounts_means_the_current_one() -> None:
    assert parse_accounts(None, None) == [AccountTarget(account_id=None)]


def test_role_arns_and_account_ids_mix() -> None:
    targets = parse_accounts(f"current,{ROLE},111122223333", "Reader")
    assert targets == [
        AccountTarget(account_id=None),
        AccountTarget(account_id="210987654321", role_arn=ROLE),
        AccountTarget(account_id="111122223333", role_arn="arn:aws:iam::111122223333:role/Reader"),
    ]


def test_organization_needs_a_member_role() -> None:
    with pytest.raises(ScopeError, match="member role"):
        parse_accounts("organization", None)
    assert parse_accounts("organization", "Reader") == "organization"


@pytest.mark.parametrize("bad", ["12345", "arn:aws:iam::123:role/x", "prod"])
def test_anything_else_is_refused_with_the_offending_item(bad: str) -> None:
    with pytest.raises(ScopeError, match="not an account"):
        parse_accounts(bad, "Reader")


def test_a_misspelt_region_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ScopeError, match="did you mean us-east-1"):
        check_regions(["us-eest-1"], {"us-east-1", "us-west-2"})


def test_regions_setting_accepts_lists_and_all_but_not_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WATCHDOG_REGIONS", " us-east-1 , us-west-2 ")
    assert Settings().region_list() == ["us-east-1", "us-west-2"]
    assert Settings(regions="all").region_list() == ["all"]  # a flag beats the environment
    with pytest.raises(ValueError, match="cannot be combined"):
        Settings(regions="all,us-east-1")

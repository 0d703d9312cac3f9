"""WATCHDOG_POLICIES from a path, an S3 prefix or an AppConfig profile (moto plus the sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from watchdog.aws.policy_sources import load_policy_source
from watchdog.policies import PolicyError, default_policies_dir, load_policies

REGION = "us-east-1"
BUCKET = "watchdog-policies"
POLICY = """\
policies:
  - name: {name}
    resource: [sagemaker-endpoint]
    conditions:
      older_than: 7d
"""
BAD_DURATION = """\
policies:
  - name: old-endpoints
    resource: [sagemaker-endpoint]
    conditions:
      older_than: soon
"""


def session() -> boto3.Session:
    return boto3.Session(region_name=REGION)


def put(key: str, text: str, bucket: str = BUCKET) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=text.encode())


def problems(spec: str) -> list[str]:
    with pytest.raises(PolicyError) as error:
        load_policy_source(spec, session())
    return str(error.value).splitlines()


# --- local paths: today's behaviour -------------------------------------------------------------


def test_a_local_directory_or_file_loads_as_before(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(POLICY.format(name="first"))

    assert [p.name for p in load_policy_source(str(tmp_path))] == ["first"]
    assert [p.name for p in load_policy_source(tmp_path / "a.yaml")] == ["first"]


def test_the_shipped_policies_load_through_the_source_too() -> None:
    shipped = load_policies(default_policies_dir())

    assert load_policy_source(str(default_policies_dir())) == shipped


# --- S3 -----------------------------------------------------------------------------------------


def test_every_policy_object_under_the_prefix_loads_in_key_order(aws: None) -> None:
    put("policies/b.yml", POLICY.format(name="second"))
    put("policies/a.yaml", POLICY.format(name="first"))
    put("policies/team/c.yaml", POLICY.format(name="third"))
    put("policies/README.md", "not a policy: [")
    put("policies-old/z.yaml", "not a policy: [")
    put("elsewhere.yaml", "not a policy: [")

    for spec in (f"s3://{BUCKET}/policies", f"s3://{BUCKET}/policies/"):
        policies = load_policy_source(spec, session())
        assert [p.name for p in policies] == ["first", "second", "third"]


def test_one_object_can_be_named_like_one_file(aws: None) -> None:
    put("policies/a.yaml", POLICY.format(name="first"))
    put("policies/b.yaml", POLICY.format(name="second"))

    policies = load_policy_source(f"s3://{BUCKET}/policies/b.yaml", session())

    assert [p.name for p in policies] == ["second"]


def test_listing_follows_every_page(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    for index in range(1000):  # one full page (ListObjectsV2 returns at most 1000 keys)
        s3.put_object(Bucket=BUCKET, Key=f"p/{index:04}.txt", Body=b"")
    put("p/zz.yaml", POLICY.format(name="on-the-second-page"))
    calls: list[str] = []
    counted = session()
    counted.events.register("before-parameter-build", lambda model, **_: calls.append(model.name))

    policies = load_policy_source(f"s3://{BUCKET}/p", counted)

    assert [p.name for p in policies] == ["on-the-second-page"]
    assert calls.count("ListObjectsV2") == 2


def test_a_bad_object_is_named_by_its_s3_url_and_line(aws: None) -> None:
    put("policies/good.yaml", POLICY.format(name="fine"))
    put("policies/bad.yaml", BAD_DURATION)

    (problem,) = problems(f"s3://{BUCKET}/policies")

    assert problem.startswith(f"s3://{BUCKET}/policies/bad.yaml:5: ")
    assert "policies[0].conditions.older_than" in problem


def test_objects_are_checked_together_like_files_in_a_directory(aws: None) -> None:
    put("policies/a.yaml", POLICY.format(name="same"))
    put("policies/b.yaml", POLICY.format(name="same"))

    (problem,) = problems(f"s3://{BUCKET}/policies")

    assert problem == (
        f"s3://{BUCKET}/policies/b.yaml:2: policies[0].name: duplicate policy name 'same'; "
        f"first defined at s3://{BUCKET}/policies/a.yaml:2"
    )


def test_a_prefix_without_policy_objects_is_an_error(aws: None) -> None:
    put("policies/README.md", "nothing here")

    assert problems(f"s3://{BUCKET}/policies") == [
        f"s3://{BUCKET}/policies: no policy files (*.yaml, *.yml) under this prefix"
    ]


def test_a_missing_bucket_is_an_error(aws: None) -> None:
    assert problems("s3://no-such-bucket/policies") == [
        "s3://no-such-bucket/policies: no such bucket 'no-such-bucket'"
    ]


def test_an_object_that_is_not_utf8_cannot_be_read(aws: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="policies/a.yaml", Body=b"\xff\xfe")

    (problem,) = problems(f"s3://{BUCKET}/policies")

    assert problem.startswith(f"s3://{BUCKET}/policies/a.yaml:1: cannot read:")


# --- AppConfig ----------------------------------------------------------------------------------


def deploy(text: str, *, deployed: bool = True) -> dict[str, str]:
    """An application `watchdog`, environment `prod` and hosted profile `policies` holding
    `text`, deployed unless told otherwise; their ids by name."""
    appconfig: Any = boto3.client("appconfig", region_name=REGION)
    app = appconfig.create_application(Name="watchdog")["Id"]
    env = appconfig.create_environment(ApplicationId=app, Name="prod")["Id"]
    profile = appconfig.create_configuration_profile(
        ApplicationId=app, Name="policies", LocationUri="hosted"
    )["Id"]
    version = appconfig.create_hosted_configuration_version(
        ApplicationId=app,
        ConfigurationProfileId=profile,
        Content=text.encode(),
        ContentType="application/x-yaml",
    )["VersionNumber"]
    if deployed:
        appconfig.start_deployment(
            ApplicationId=app,
            EnvironmentId=env,
            DeploymentStrategyId="AppConfig.AllAtOnce",
            ConfigurationProfileId=profile,
            ConfigurationVersion=str(version),
        )
    return {"watchdog": app, "prod": env, "policies": profile}


def test_the_deployed_configuration_loads_by_names_or_ids(aws: None) -> None:
    ids = deploy(POLICY.format(name="from-appconfig"))

    by_name = load_policy_source("appconfig://watchdog/prod/policies", session())
    by_id = load_policy_source(
        f"appconfig://{ids['watchdog']}/{ids['prod']}/{ids['policies']}", session()
    )

    assert [p.name for p in by_name] == [p.name for p in by_id] == ["from-appconfig"]


def test_malformed_yaml_in_appconfig_is_named_with_its_line(aws: None) -> None:
    deploy("policies:\n  - name: broken\n    resource: [sagemaker-endpoint\n")

    (problem,) = problems("appconfig://watchdog/prod/policies")

    assert problem.startswith("appconfig://watchdog/prod/policies:")
    assert "invalid YAML" in problem


def test_a_schema_problem_in_appconfig_names_the_line(aws: None) -> None:
    deploy(BAD_DURATION)

    (problem,) = problems("appconfig://watchdog/prod/policies")

    assert problem.startswith("appconfig://watchdog/prod/policies:5: ")


def test_a_profile_never_deployed_is_an_error(aws: None) -> None:
    deploy(POLICY.format(name="not-yet"), deployed=False)

    (problem,) = problems("appconfig://watchdog/prod/policies")

    assert problem.startswith("appconfig://watchdog/prod/policies: cannot read: ")
    assert "ResourceNotFoundException" in problem


def test_a_missing_environment_is_an_error(aws: None) -> None:
    deploy(POLICY.format(name="fine"))

    assert problems("appconfig://watchdog/staging/policies") == [
        "appconfig://watchdog/staging/policies: cannot read: ResourceNotFoundException: "
        "Environment staging not found"
    ]


def test_an_empty_deployed_configuration_is_an_error(aws: None) -> None:
    deploy("\n")

    assert problems("appconfig://watchdog/prod/policies") == [
        "appconfig://watchdog/prod/policies: the deployed configuration is empty; "
        "expected a 'policies:' list"
    ]


# --- specs --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("s3://", "s3://: no bucket; use s3://bucket/prefix"),
        ("s3:///policies", "s3:///policies: no bucket; use s3://bucket/prefix"),
        (
            "appconfig://a/b",
            "appconfig://a/b: expected appconfig://application/environment/profile",
        ),
        (
            "appconfig://a/b/c/d",
            "appconfig://a/b/c/d: expected appconfig://application/environment/profile",
        ),
        (
            "appconfig://a//c",
            "appconfig://a//c: expected appconfig://application/environment/profile",
        ),
        (
            "https://example.com/policies",
            "https://example.com/policies: not a policy source; use a path, s3://bucket/prefix "
            "or appconfig://application/environment/profile",
        ),
    ],
)
def test_a_malformed_spec_is_one_line_without_any_aws_call(spec: str, message: str) -> None:
    assert problems(spec) == [message]

"""Where policies come from (WATCHDOG_POLICIES): a path, an S3 prefix, or an AppConfig profile.

- a local directory or file: as `load_policies` reads it;
- `s3://bucket/prefix`: every *.yaml/*.yml object under the prefix, by key. The prefix is a
  folder: `s3://b/team` reads `team/...` (and `team` itself, were it a policy file), never
  `team-old/...`; `s3://b` reads the whole bucket;
- `appconfig://application/environment/profile`: the configuration deployed to that environment
  (AppConfig Data: StartConfigurationSession, then GetLatestConfiguration), one YAML document in
  the policy file format. Each part is a name or an id (AppConfig Data takes either);
  percent-escapes are decoded, so a name may hold a `/` as %2F.

Every document is checked exactly as a local file is, and a problem names it as
`s3://bucket/key:LINE: ...` or `appconfig://application/environment/profile:LINE: ...`. Any
failure (a malformed spec, no such bucket, no policy objects, access denied) is a PolicyError
with one line per problem.

It lives with the AWS plumbing, not in watchdog.policies, so the policy schema and checks that
evaluate builds on stay free of boto3: this module fetches the documents, watchdog.policies
reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from watchdog.aws.clients import CLIENT_CONFIG
from watchdog.aws.errors import describe_error
from watchdog.policies.load import (
    POLICY_SUFFIXES,
    Document,
    PolicyError,
    Problem,
    default_policies_dir,
    load_documents,
    load_policies,
)
from watchdog.policies.schema import Policy

S3 = "s3://"
APPCONFIG = "appconfig://"
APPCONFIG_FORM = "appconfig://application/environment/profile"
# An S3 error that means the object or bucket is not there, as opposed to not readable.
_S3_MISSING = frozenset({"NoSuchBucket", "NoSuchKey", "404", "NotFound"})
_DENIED = frozenset({"AccessDenied", "AccessDeniedException", "403", "Forbidden"})


def load_policy_source(spec: str | Path, session: boto3.Session | None = None) -> list[Policy]:
    """Every policy the spec names; PolicyError (one line per problem) on any failure."""
    if isinstance(spec, Path):
        return load_policies(spec)
    if spec.startswith(S3):
        return load_documents(_s3_documents(spec, session or boto3.Session()))
    if spec.startswith(APPCONFIG):
        return load_documents([_appconfig_document(spec, session or boto3.Session())])
    if "://" in spec:
        _fail(spec, f"not a policy source; use a path, s3://bucket/prefix or {APPCONFIG_FORM}")
    return load_policies(spec)


def load_configured_policies(
    spec: str | None, session: boto3.Session | None = None
) -> list[Policy]:
    """The policies WATCHDOG_POLICIES (or --policies) names; unset: the shipped ones."""
    return load_policy_source(spec, session) if spec else load_policies(default_policies_dir())


def _fail(where: str, message: str) -> NoReturn:
    raise PolicyError([Problem(where, 0, "", message)])


# --- S3 -----------------------------------------------------------------------------------------


def _s3_documents(spec: str, session: boto3.Session) -> list[Document]:
    bucket, _, prefix = spec.removeprefix(S3).partition("/")
    if not bucket:
        _fail(spec, "no bucket; use s3://bucket/prefix")
    where = f"{S3}{bucket}/{prefix}" if prefix else f"{S3}{bucket}"
    client = session.client("s3", config=CLIENT_CONFIG)
    keys = _policy_keys(client, bucket, prefix, where)
    if not keys:
        _fail(where, "no policy files (*.yaml, *.yml) under this prefix")
    return [(f"{S3}{bucket}/{key}", _s3_body(client, bucket, key)) for key in keys]


def _policy_keys(client: Any, bucket: str, prefix: str, where: str) -> list[str]:
    folder = prefix if not prefix or prefix.endswith("/") else f"{prefix}/"
    keys = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                key = item["Key"]
                inside = key == prefix or key.startswith(folder)
                if inside and key.endswith(POLICY_SUFFIXES):
                    keys.append(key)
    except (ClientError, BotoCoreError) as error:
        _fail(where, _s3_problem(error, "s3:ListBucket", f"no such bucket {bucket!r}"))
    return sorted(keys)


def _s3_body(client: Any, bucket: str, key: str) -> bytes:
    try:
        body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except (ClientError, BotoCoreError) as error:
        _fail(f"{S3}{bucket}/{key}", _s3_problem(error, "s3:GetObject", "no such object"))
    return body


def _s3_problem(error: BaseException, permission: str, missing: str) -> str:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in _S3_MISSING:
        return missing
    if code in _DENIED:
        return f"access denied (needs {permission})"
    return f"cannot read: {describe_error(error)}"


# --- AppConfig ----------------------------------------------------------------------------------


def _appconfig_document(spec: str, session: boto3.Session) -> Document:
    parts = [unquote(part) for part in spec.removeprefix(APPCONFIG).split("/")]
    if len(parts) != 3 or not all(parts):
        _fail(spec, f"expected {APPCONFIG_FORM}")
    application, environment, profile = parts
    client = session.client("appconfigdata", config=CLIENT_CONFIG)
    try:
        token = client.start_configuration_session(
            ApplicationIdentifier=application,
            EnvironmentIdentifier=environment,
            ConfigurationProfileIdentifier=profile,
        )["InitialConfigurationToken"]
        # The first call of a session returns the whole deployed configuration.
        body: bytes = client.get_latest_configuration(ConfigurationToken=token)[
            "Configuration"
        ].read()
    except (ClientError, BotoCoreError) as error:
        _fail(spec, _appconfig_problem(error))
    if not body.strip():
        _fail(spec, "the deployed configuration is empty; expected a 'policies:' list")
    return spec, body


def _appconfig_problem(error: BaseException) -> str:
    code = error.response.get("Error", {}).get("Code", "") if isinstance(error, ClientError) else ""
    if code in _DENIED:
        return (
            "access denied (needs appconfig:StartConfigurationSession and "
            "appconfig:GetLatestConfiguration)"
        )
    return f"cannot read: {describe_error(error)}"

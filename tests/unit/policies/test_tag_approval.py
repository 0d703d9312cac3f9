"""`approval.automatic_when_tagged`: a tag approves parking only, and its tags are real tags.

What a user sees: `ai-watchdog policies validate` prints each problem as one `file:line` line
(exit 1), and `plan` refuses to start on such a file (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdog.cli.main import cli
from watchdog.policies import policy_json_schema
from watchdog.policies.load import load_policies

POLICY = """\
policies:
  - name: office-hours
    resource: [sagemaker-notebook-instance]
    conditions: {{status: [InService]}}
    action: {action}
    approval:
      mode: required
      automatic_when_tagged: {tags}
"""
PARK = '    park: {at: "0 20 * * mon-fri", resume: "0 8 * * mon-fri"}\n'
CONSENT = '{"watchdog:schedule": office-hours}'


def write(tmp_path: Path, action: str = "park", tags: str = CONSENT) -> Path:
    path = tmp_path / "office.yaml"
    text = POLICY.format(action=action, tags=tags) + (PARK if action == "park" else "")
    path.write_text(text, encoding="utf-8")
    return path


def validate(path: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(cli, ["policies", "validate", str(path)])
    return result.exit_code, result.output.splitlines()


def test_a_park_policy_approved_by_a_tag_loads(tmp_path: Path) -> None:
    (policy,) = load_policies(write(tmp_path))

    assert policy.approval.automatic_when_tagged == {"watchdog:schedule": "office-hours"}
    assert policy.approval.consent({"watchdog:schedule": "office-hours", "team": "ml"}) == (
        "watchdog:schedule=office-hours"
    )


@pytest.mark.parametrize("action", ["stop", "delete", "notify"])
def test_validate_refuses_a_tag_approving_anything_but_a_park(tmp_path: Path, action: str) -> None:
    path = write(tmp_path, action=action)

    code, lines = validate(path)

    assert code == 1
    assert lines == [
        f"{path}:2: policies[0]: approval.automatic_when_tagged approves parking only: "
        f"a tag never approves a {action}",
        "1 problem",
    ]


def test_plan_does_not_start_on_a_stop_a_tag_would_approve(tmp_path: Path) -> None:
    path = write(tmp_path, action="stop")

    result = CliRunner().invoke(cli, ["plan", "--policies", str(path)])

    assert result.exit_code == 2, result.output
    assert f"{path}:2: policies[0]: approval.automatic_when_tagged approves parking only" in (
        result.stderr
    )
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("tags", "problem"),
    [
        ("{}", "must not be empty"),
        ('{"": office-hours}', "tag key '': AWS tag keys have 1 to 128 characters"),
        (f"{{{'k' * 129}: x}}", "AWS tag keys have 1 to 128 characters"),
        (
            '{"aws:cloudformation:stack-name": dev}',
            "tag key 'aws:cloudformation:stack-name': aws: tags are set by AWS, not by an owner",
        ),
        ('{"AWS:createdBy": me}', "aws: tags are set by AWS, not by an owner"),
    ],
)
def test_validate_names_the_line_of_a_tag_that_cannot_be_an_owners(
    tmp_path: Path, tags: str, problem: str
) -> None:
    path = write(tmp_path, tags=tags)

    code, lines = validate(path)

    assert code == 1
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{path}:8: policies[0].approval.automatic_when_tagged: ")
    assert problem in lines[0]


def test_a_tag_value_is_a_string_of_at_most_256_characters(tmp_path: Path) -> None:
    path = write(tmp_path, tags=f'{{"watchdog:schedule": {"v" * 257}}}')

    code, lines = validate(path)

    assert code == 1
    assert lines[0].startswith(f"{path}:8: policies[0].approval.automatic_when_tagged.")
    assert "256 characters" in lines[0]


def test_the_json_schema_documents_the_setting() -> None:
    approval = policy_json_schema()["$defs"]["Approval"]["properties"]

    setting = approval["automatic_when_tagged"]
    assert "with action park" in setting["description"]
    [mapping] = [s for s in setting["anyOf"] if s.get("type") == "object"]
    assert mapping["minProperties"] == 1
    assert mapping["additionalProperties"] == {"type": "string", "maxLength": 256}

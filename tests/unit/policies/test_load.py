"""Reading policy files: every problem, each as `file:line: field: problem`."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import time
from pathlib import Path

import pytest

from watchdog.kinds import BY_KIND, kind_names
from watchdog.kinds.base import Operation, Teardown
from watchdog.policies import PolicyError, Problem, check_path, load_policies, validate_path

VALID = """\
policies:
  - name: {name}
    resource: [sagemaker-endpoint]
    conditions:
      older_than: 7d
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(path: Path) -> list[str]:
    return [str(problem) for problem in validate_path(path)]


def test_a_valid_file_loads_its_policies(tmp_path: Path) -> None:
    file = write(tmp_path, "idle.yaml", VALID.format(name="old-endpoints"))

    (policy,) = load_policies(file)

    assert (policy.name, policy.resource, policy.action) == (
        "old-endpoints",
        ["sagemaker-endpoint"],
        "notify",
    )
    assert validate_path(file) == []


def test_a_directory_loads_yaml_and_yml_files_by_name_and_ignores_others(tmp_path: Path) -> None:
    write(tmp_path, "b.yml", VALID.format(name="second"))
    write(tmp_path, "a.yaml", VALID.format(name="first"))
    write(tmp_path, "README.md", "not a policy: [")

    assert [p.name for p in load_policies(tmp_path)] == ["first", "second"]
    assert [f.name for f in check_path(tmp_path).files] == ["a.yaml", "b.yml"]


def test_a_bad_duration_points_at_its_line(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "idle.yaml",
        """\
        policies:
          - name: idle
            resource: [sagemaker-endpoint]
            conditions:
              idle:
                threshold: 0
                window: 3x
        """,
    )

    assert problems(file) == [
        f"{file}:7: policies[0].conditions.idle.window: "
        "expected a duration such as '30m', '12h', '7d' or '2w'"
    ]


def test_an_idle_window_cloudwatch_cannot_answer_is_reported_at_the_window(
    tmp_path: Path,
) -> None:
    file = write(
        tmp_path,
        "idle.yaml",
        """\
        policies:
          - name: idle
            resource: [sagemaker-endpoint]
            conditions:
              idle: {window: 90d}
        """,
    )

    assert problems(file) == [
        f"{file}:5: policies[0].conditions.idle.window: "
        "window must be between 1h and 63d (CloudWatch keeps hourly data 63d)"
    ]


def test_every_problem_in_a_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "bad.yaml",
        """\
        policies:
          - name: Bad_Name
            resource: [sagemaker-endpont]
            conditions:
              idle: {thresold: 1}
            action: restart
          - resource: [sagemaker-model]
            conditions: {}
        """,
    )

    assert problems(file) == [
        f"{file}:2: policies[0].name: "
        "must be kebab-case: lowercase letters, digits and '-', at most 63 characters",
        f"{file}:3: policies[0].resource[0]: "
        "unknown resource kind 'sagemaker-endpont'; did you mean 'sagemaker-endpoint'?",
        f"{file}:5: policies[0].conditions.idle.thresold: unknown field; did you mean 'threshold'?",
        f"{file}:6: policies[0].action: must be one of: notify, stop, delete, park",
        f"{file}:7: policies[1].name: required",  # missing: the line of the enclosing mapping
        f"{file}:8: policies[1].conditions: a policy needs at least one condition",
    ]


def test_an_unknown_kind_with_no_near_name_lists_the_valid_kinds(tmp_path: Path) -> None:
    file = write(tmp_path, "p.yaml", VALID.replace("sagemaker-endpoint", "lambda").format(name="x"))

    (problem,) = problems(file)

    assert problem.startswith(f"{file}:3: policies[0].resource[0]: unknown resource kind 'lambda';")
    listed = problem.split("valid kinds: ", 1)[1].split(", ")
    assert sorted(listed) == sorted(kind_names())


def test_a_single_kind_instead_of_a_list_says_how_to_write_it(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "p.yaml",
        VALID.replace("[sagemaker-endpoint]", "sagemaker-endpoint").format(name="x"),
    )

    assert problems(file) == [
        f"{file}:3: policies[0].resource: expected a list; write [sagemaker-endpoint]"
    ]


def test_an_unknown_field_far_from_any_known_one_lists_them(tmp_path: Path) -> None:
    file = write(tmp_path, "p.yaml", "policies: []\ncolour: blue\n")

    assert problems(file) == [
        f"{file}:1: policies: must not be empty",
        f"{file}:2: colour: unknown field; expected one of: policies",
    ]


def test_an_unknown_timezone_and_a_bad_clock_time_point_at_their_lines(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "p.yaml",
        """\
        policies:
          - name: nightly
            resource: [sagemaker-notebook-instance]
            conditions: {running_longer_than: 12h}
            action_window:
              timezone: Mars/Olympus_Mons
              days: [mon, sunday]
              start: "25:00"
        """,
    )

    found = problems(file)

    assert found[:2] == [
        f"{file}:6: policies[0].action_window.timezone: unknown timezone 'Mars/Olympus_Mons'",
        f"{file}:7: policies[0].action_window.days[1]: "
        "must be one of: mon, tue, wed, thu, fri, sat, sun; did you mean 'sun'?",
    ]
    assert found[2].startswith(f"{file}:8: policies[0].action_window.start: ")
    assert len(found) == 3


def test_an_unquoted_clock_time_is_a_time_not_a_base_60_number(tmp_path: Path) -> None:
    # Plain YAML 1.1 reads 20:00 as 1200, which pydantic would take as 00:20:00.
    file = write(
        tmp_path,
        "p.yaml",
        VALID.format(name="nightly") + "    action_window: {start: 20:00, end: 06:00}\n",
    )

    (policy,) = load_policies(file)

    assert policy.action_window is not None
    assert (policy.action_window.start, policy.action_window.end) == (time(20), time(6))


def test_a_yaml_syntax_error_gives_the_line_yaml_reports(tmp_path: Path) -> None:
    file = write(
        tmp_path,
        "broken.yaml",
        """\
        policies:
          - name: x
            resource: [sagemaker-endpoint
            conditions: {older_than: 1d}
        """,
    )

    assert problems(file) == [
        f"{file}:4: invalid YAML: while parsing a flow sequence, expected ',' or ']', but got ':'"
    ]


def test_an_empty_file_and_a_file_without_policies_key_are_problems(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "")
    write(tmp_path, "b.yaml", "- name: x\n")

    assert problems(tmp_path) == [
        f"{tmp_path / 'a.yaml'}:1: empty file; expected a 'policies:' list",
        f"{tmp_path / 'b.yaml'}:1: expected a mapping with a 'policies:' list",
    ]


def test_a_missing_path_and_an_empty_directory_are_problems(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    assert problems(missing) == [f"{missing}: no such file or directory"]
    assert problems(tmp_path) == [f"{tmp_path}: no policy files (*.yaml, *.yml) in this directory"]


def test_a_name_used_twice_across_files_is_reported_at_the_second(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", VALID.format(name="same"))
    second = write(tmp_path, "b.yaml", "# the same name again\n" + VALID.format(name="same"))

    assert problems(tmp_path) == [
        f"{second}:3: policies[0].name: "
        f"duplicate policy name 'same'; first defined at {tmp_path / 'a.yaml'}:2"
    ]


def test_a_valid_policy_next_to_a_broken_one_still_takes_part_in_the_name_check(
    tmp_path: Path,
) -> None:
    file = write(
        tmp_path,
        "p.yaml",
        VALID.format(name="same")
        + "  - name: broken\n    resource: []\n"
        + VALID.format(name="same").removeprefix("policies:\n"),
    )

    assert problems(file) == [
        f"{file}:6: policies[1].conditions: required",
        f"{file}:7: policies[1].resource: must not be empty",
        f"{file}:8: policies[2].name: duplicate policy name 'same'; first defined at {file}:2",
    ]


def test_load_raises_with_every_problem(tmp_path: Path) -> None:
    file = write(tmp_path, "p.yaml", "policies: []\n")

    with pytest.raises(PolicyError) as raised:
        load_policies(file)

    assert raised.value.problems == [Problem(str(file), 1, "policies", "must not be empty")]
    assert str(raised.value) == f"{file}:1: policies: must not be empty"


# --- actions a kind cannot take (fake teardowns: the real ones are the kind modules' business) ---

ACTION = """\
policies:
  - name: act
    resource: [sagemaker-endpoint]
    conditions: {{older_than: 1d}}
    action: {action}
"""


def with_teardown(monkeypatch: pytest.MonkeyPatch, teardown: Teardown) -> None:
    spec = dataclasses.replace(BY_KIND["sagemaker-endpoint"], teardown=teardown)
    monkeypatch.setitem(BY_KIND, "sagemaker-endpoint", spec)


DELETE = Operation("sagemaker:DeleteEndpoint")
STOP = Operation("sagemaker:StopEndpoint")


@pytest.mark.parametrize(
    ("teardown", "action", "problem"),
    [
        (Teardown(delete=DELETE), "stop", "sagemaker-endpoint cannot be stopped, only deleted"),
        (Teardown(), "stop", "sagemaker-endpoint cannot be stopped or deleted"),
        (Teardown(stop=STOP), "delete", "sagemaker-endpoint cannot be deleted"),
        (Teardown(), "delete", "sagemaker-endpoint cannot be deleted"),
    ],
)
def test_an_action_the_kind_cannot_take_is_reported_at_the_action(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, teardown: Teardown, action: str, problem: str
) -> None:
    with_teardown(monkeypatch, teardown)
    file = write(tmp_path, "p.yaml", ACTION.format(action=action))

    assert problems(file) == [f"{file}:5: policies[0].action: {problem}"]


@pytest.mark.parametrize(
    ("teardown", "action"),
    [
        (Teardown(stop=STOP, delete=DELETE), "stop"),
        (Teardown(stop=STOP, delete=DELETE), "delete"),
        (Teardown(delete=DELETE, stop_is_delete=True), "stop"),  # Studio apps stop by deleting
        (Teardown(), "notify"),
    ],
)
def test_an_action_the_kind_can_take_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, teardown: Teardown, action: str
) -> None:
    with_teardown(monkeypatch, teardown)
    file = write(tmp_path, "p.yaml", ACTION.format(action=action))

    assert problems(file) == []


def test_an_idle_condition_on_a_kind_without_traffic_metrics_is_a_problem(tmp_path: Path) -> None:
    policy_file = tmp_path / "p.yaml"
    policy_file.write_text(
        "policies:\n"
        "  - name: idle-notebooks\n"
        "    resource: [sagemaker-notebook-instance]\n"
        "    conditions:\n"
        "      idle: {window: 7d}\n"
    )
    assert [str(p) for p in validate_path(policy_file)] == [
        f"{policy_file}:5: policies[0].conditions.idle: sagemaker-notebook-instance has no "
        "traffic metric, so it can never be shown idle"
    ]

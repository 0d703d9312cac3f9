"""Reading policy files: YAML in, validated `Policy` objects or every problem with its line out.

A problem names the file, the line, the field and what is wrong, so a person can fix a whole
directory in one pass: `policies/idle.yaml:7: policies[0].conditions.idle.window: expected ...`.
Beyond the schema, a directory is checked as a whole (unique names) and against the kinds (a
stop, delete or park must be something the kind can do)."""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from watchdog.kinds import BY_KIND, kind_names
from watchdog.kinds._park import Park
from watchdog.kinds.base import no_metrics
from watchdog.policies.schema import Policy, PolicyFile
from watchdog.records import Kind

POLICY_SUFFIXES = (".yaml", ".yml")

# A position in the YAML document: mapping keys and list indexes, as pydantic reports them.
Loc = tuple[str | int, ...]
# A policy document from elsewhere than a file: its name in problems (`s3://bucket/key`) and its
# YAML text (bytes are read as UTF-8).
Document = tuple[str, str | bytes]


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a policy file. `line` is 1-based; 0 when no line applies."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class PolicyError(Exception):
    """The policies cannot be used; `problems` says every reason, each with its place."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Checked:
    """What reading a path found: the policy files, the valid policies and every problem."""

    files: tuple[Path, ...]
    policies: tuple[Policy, ...]
    problems: tuple[Problem, ...]


def load_policies(path: Path | str) -> list[Policy]:
    """Every policy in a directory's *.yaml/*.yml files (by file name) or in one file."""
    checked = check_path(path)
    if checked.problems:
        raise PolicyError(checked.problems)
    return list(checked.policies)


def validate_path(path: Path | str) -> list[Problem]:
    """Every problem in a directory or file, not only the first."""
    return list(check_path(path).problems)


def check_path(path: Path | str) -> Checked:
    path = Path(path)
    files, problems = _policy_files(path)
    policies, found_problems = _check([(str(file), file) for file in files])
    return Checked(
        files=tuple(files),
        policies=policies,
        problems=tuple(_in_reading_order([*problems, *found_problems], map(str, files))),
    )


def load_documents(documents: Sequence[Document]) -> list[Policy]:
    """Every policy in named YAML texts (S3 objects, an AppConfig configuration), checked
    exactly as policy files are; raises PolicyError with every problem."""
    policies, problems = _check(documents)
    if problems:
        raise PolicyError(problems)
    return list(policies)


def _check(
    documents: Sequence[tuple[str, Path | str | bytes]],
) -> tuple[tuple[Policy, ...], tuple[Problem, ...]]:
    """Each document alone, then across all of them; problems in reading order."""
    found: list[_Found] = []
    problems: list[Problem] = []
    for name, source in documents:
        document_found, document_problems = _read_document(name, source)
        found.extend(document_found)
        problems.extend(document_problems)
    problems.extend(_duplicate_names(found))
    problems.extend(_impossible_actions(found))
    problems.extend(_idle_without_metrics(found))
    ordered = _in_reading_order(problems, (name for name, _ in documents))
    return tuple(f.policy for f in found), tuple(ordered)


def default_policies_dir() -> Path:
    """The shipped policies: in an installed wheel, the copy setup.py packs as
    `watchdog/shipped_policies`; in a source tree, `policies/` next to `watchdog/`."""
    package = Path(__file__).resolve().parents[1]
    for shipped in (package / "shipped_policies", package.parent / "policies"):
        if shipped.is_dir():
            return shipped
    raise PolicyError(
        [
            Problem(
                str(package / "shipped_policies"),
                0,
                "",
                "the shipped policies are not installed with this copy of the watchdog; "
                "set WATCHDOG_POLICIES to a policy directory",
            )
        ]
    )


# --- files ------------------------------------------------------------------------------------


def _policy_files(path: Path) -> tuple[list[Path], list[Problem]]:
    if path.is_file():
        return [path], []
    if not path.exists():
        return [], [Problem(str(path), 0, "", "no such file or directory")]
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix in POLICY_SUFFIXES)
    if not files:
        return [], [Problem(str(path), 0, "", "no policy files (*.yaml, *.yml) in this directory")]
    return files, []


@dataclass(frozen=True)
class _Found:
    """A valid policy and where it is: for the checks that look across policies."""

    policy: Policy
    file: str
    index: int
    lines: dict[Loc, int]

    def line(self, *loc: str | int) -> int:
        return _line_of(self.lines, ("policies", self.index, *loc))


def _read_document(name: str, source: Path | str | bytes) -> tuple[list[_Found], list[Problem]]:
    try:
        if isinstance(source, Path):
            text = source.read_text(encoding="utf-8")
        else:
            text = source.decode("utf-8") if isinstance(source, bytes) else source
        data, lines = _parse_yaml(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        said = ", ".join(part for part in (error.context, error.problem) if part) or str(error)
        return [], [Problem(name, line, "", f"invalid YAML: {said}")]
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return [], [Problem(name, 1, "", f"cannot read: {error}")]
    if data is None:
        return [], [Problem(name, 1, "", "empty file; expected a 'policies:' list")]
    try:
        PolicyFile.model_validate(data)
        problems = []
    except ValidationError as error:
        problems = [_schema_problem(name, lines, detail) for detail in error.errors()]
    return _valid_policies(name, data, lines), problems


def _valid_policies(name: str, data: object, lines: dict[Loc, int]) -> list[_Found]:
    """Each policy that validates alone, so one bad policy does not hide its neighbours from the
    checks across policies."""
    items = data.get("policies") if isinstance(data, dict) else None
    found = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        try:
            found.append(_Found(Policy.model_validate(item), name, index, lines))
        except ValidationError:
            continue  # already reported by the file's validation
    return found


def _in_reading_order(problems: Iterable[Problem], names: Iterable[str]) -> list[Problem]:
    order = {name: position for position, name in enumerate(names)}
    return sorted(problems, key=lambda p: (order.get(p.file, -1), p.line))


# --- YAML with lines ----------------------------------------------------------------------------

# YAML 1.1 reads 20:00 as the base-60 number 1200, which a time field would take as 00:20:00.
_BASE_60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps clock times such as 20:00 as the strings they look like."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0] and _BASE_60.match(value):
            return "tag:yaml.org,2002:str"
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]  # stubs


def _parse_yaml(text: str) -> tuple[object, dict[Loc, int]]:
    """The document's data, and the 1-based line of every key and list item by its location."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data: object = loader.construct_document(node)
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {(): node.start_mark.line + 1}
    _record_lines(node, (), lines, frozenset())
    return data, lines


def _record_lines(node: yaml.Node, loc: Loc, lines: dict[Loc, int], seen: frozenset[int]) -> None:
    if id(node) in seen:
        return  # an alias that contains itself
    seen = seen | {id(node)}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                # The key's line: a wrong value usually shares it, a block value starts below it.
                lines[(*loc, key.value)] = key.start_mark.line + 1
                _record_lines(value, (*loc, key.value), lines, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            _record_lines(item, (*loc, index), lines, seen)


def _line_of(lines: dict[Loc, int], loc: Loc) -> int:
    """The line of `loc`, or of the nearest enclosing node that exists (a missing field is
    reported at the mapping that lacks it)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return 1


# --- schema errors as sentences -----------------------------------------------------------------


def _schema_problem(file: str, lines: dict[Loc, int], detail: ErrorDetails) -> Problem:
    loc: Loc = tuple(detail["loc"])
    return Problem(file, _line_of(lines, loc), _field_name(loc), _message(detail, loc))


def _field_name(loc: Loc) -> str:
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else part
    return name


def _message(detail: ErrorDetails, loc: Loc) -> str:
    kind, given = detail["type"], detail.get("input")
    if not loc and kind in ("model_type", "dict_type"):
        return "expected a mapping with a 'policies:' list"
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return _unknown_field(loc)
    if kind == "literal_error":
        return _not_a_choice(str(given), detail.get("ctx", {}).get("expected", ""))
    if kind == "list_type":
        return f"expected a list; write [{given}]" if isinstance(given, str) else "expected a list"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "expected a mapping of fields"
    if kind == "too_short" and isinstance(given, list | dict):
        return "must not be empty"
    if kind == "string_pattern_mismatch" and loc[-1:] == ("name",):
        return "must be kebab-case: lowercase letters, digits and '-', at most 63 characters"
    if kind == "value_error":
        return str(detail.get("ctx", {}).get("error", detail["msg"]))
    return detail["msg"]


def _not_a_choice(given: str, expected: str) -> str:
    choices = re.findall(r"'([^']*)'", expected)
    nearest = difflib.get_close_matches(given, choices, n=1)
    kinds = kind_names()
    if set(choices) == set(kinds):
        hint = f"did you mean {nearest[0]!r}?" if nearest else f"valid kinds: {', '.join(kinds)}"
        return f"unknown resource kind {given!r}; {hint}"
    hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
    return f"must be one of: {', '.join(choices)}{hint}"


def _unknown_field(loc: Loc) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return "unknown field"
    known = list(model.model_fields)
    nearest = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if nearest:
        return f"unknown field; did you mean {nearest[0]!r}?"
    return f"unknown field; expected one of: {', '.join(known)}"


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The schema model at a location in a policy file, found by following field types."""
    current: Any = PolicyFile
    for part in loc:
        current = _without_none(current)
        if isinstance(part, int):
            current = get_args(current)[0] if get_origin(current) is list else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            current = field.annotation if field else None
        else:
            return None
    current = _without_none(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [arg for arg in get_args(annotation) if arg is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


# --- checks across policies ---------------------------------------------------------------------


def _duplicate_names(found: Iterable[_Found]) -> list[Problem]:
    first: dict[str, _Found] = {}
    problems = []
    for item in found:
        earlier = first.setdefault(item.policy.name, item)
        if earlier is not item:
            where = f"{earlier.file}:{earlier.line('name')}"
            message = f"duplicate policy name {item.policy.name!r}; first defined at {where}"
            field = f"policies[{item.index}].name"
            problems.append(Problem(item.file, item.line("name"), field, message))
    return problems


def _impossible_actions(found: Iterable[_Found]) -> list[Problem]:
    """A stop, delete or park a kind cannot do would never run: say so now."""
    problems = []
    for item in found:
        for kind in item.policy.resource:
            why = _cannot(kind, item.policy.action)
            if why:
                field = f"policies[{item.index}].action"
                problems.append(Problem(item.file, item.line("action"), field, why))
    return problems


def _cannot(kind: Kind, action: str) -> str | None:
    if action == "park" and not isinstance(parking := BY_KIND[kind].park, Park):
        return f"{kind} cannot be parked: {parking.why}"
    teardown = BY_KIND[kind].teardown
    if action == "park" or teardown.can(action):
        return None
    if action == "stop":
        if not teardown.can("delete"):
            return f"{kind} cannot be stopped or deleted"
        return f"{kind} cannot be stopped, only deleted"
    return f"{kind} cannot be deleted"


def _idle_without_metrics(found: Iterable[_Found]) -> list[Problem]:
    """An idle condition on a kind with no traffic metric could only ever be unknown."""
    problems = []
    for item in found:
        if item.policy.conditions.idle is None:
            continue
        for kind in item.policy.resource:
            if BY_KIND[kind].metric_queries is no_metrics:
                field = f"policies[{item.index}].conditions.idle"
                message = f"{kind} has no traffic metric, so it can never be shown idle"
                problems.append(Problem(item.file, item.line("conditions", "idle"), field, message))
    return problems

"""Kind names are spelled in their kind modules only: every other stage reads the registry.

A kind name written as a string anywhere else in the product is a place that adding, renaming
or removing a kind would have to find by hand, which is what `watchdog.kinds` exists to avoid.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import watchdog
from watchdog.kinds import kind_names

PRODUCT = Path(watchdog.__file__).parent
ROOT = PRODUCT.parent
# The kinds' own package declares them (the sandbox, which emulates them per kind, is its own
# distribution, not the product).
DECLARED_IN = (PRODUCT / "kinds",)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def kind_names_spelled_in(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line: 'kind'` for each string (not docstring) in `path` naming a kind."""
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, kind_names())) + r")(?![\w-])")
    tree = ast.parse(path.read_text(), str(path))
    docstrings = _docstrings(tree)
    return [
        f"{path.relative_to(root)}:{node.lineno}: {match.group(1)!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        for match in pattern.finditer(node.value)
    ]


def product_files() -> list[Path]:
    files = [p for p in PRODUCT.rglob("*.py") if not any(p.is_relative_to(d) for d in DECLARED_IN)]
    return sorted([*files, ROOT / "lambda_handler.py"])


def test_no_kind_name_is_spelled_outside_the_kind_modules() -> None:
    spelled = [hit for path in product_files() for hit in kind_names_spelled_in(path)]

    assert spelled == [], "kind names belong to watchdog/kinds/:\n" + "\n".join(spelled)


def test_the_check_sees_a_kind_name_in_a_string_but_not_in_a_docstring(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text('"""Docs may name sagemaker-endpoint."""\nKIND = "sagemaker-endpoint"\n')

    assert kind_names_spelled_in(stray, tmp_path) == ["stray.py:2: 'sagemaker-endpoint'"]

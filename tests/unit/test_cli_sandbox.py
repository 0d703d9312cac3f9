"""`ai-watchdog sandbox serve` and `ai-watchdog demo` need the sandbox distribution: without it
they say how to install it (exit 2); a fault inside an installed sandbox is not hidden behind that
advice. (tests/e2e/test_cli_errors.py runs the real process without the sandbox.)"""

from __future__ import annotations

import importlib.abc
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

import pytest
from click.testing import CliRunner

from watchdog.cli.main import cli
from watchdog.cli.sandbox import INSTALL_THE_SANDBOX, sandbox_missing

COMMANDS = (["sandbox", "serve", "--port", "0"], ["demo"])


class _Refuse(importlib.abc.MetaPathFinder):
    """Fails the import of one module (and its submodules) as Python does for one not installed."""

    def __init__(self, refused: str) -> None:
        self.refused = refused

    def find_spec(
        self, name: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name == self.refused or name.startswith(self.refused + "."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def refuse(monkeypatch: pytest.MonkeyPatch, refused: str) -> None:
    for name in [n for n in sys.modules if n == refused or n.startswith(refused + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_Refuse(refused), *sys.meta_path])


def test_the_sandbox_hint_installs_from_the_clone() -> None:
    assert "pip install -e ./sandbox" in INSTALL_THE_SANDBOX and "make demo" in INSTALL_THE_SANDBOX


def test_only_a_missing_sandbox_or_moto_counts_as_not_installed() -> None:
    assert sandbox_missing(ModuleNotFoundError("x", name="watchdog_sandbox"))
    assert sandbox_missing(ModuleNotFoundError("x", name="moto"))
    assert sandbox_missing(ModuleNotFoundError("x", name="moto.server"))
    # Installed, but a module of its own is gone, or a name in it: the sandbox's own fault.
    assert not sandbox_missing(ModuleNotFoundError("x", name="watchdog_sandbox.server"))
    assert not sandbox_missing(ImportError("cannot import name 'seed'", name="watchdog_sandbox"))
    assert not sandbox_missing(ModuleNotFoundError("x", name="yaml"))


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_without_the_sandbox_the_command_says_how_to_install_it(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    refuse(monkeypatch, "watchdog_sandbox")

    result = CliRunner().invoke(cli, args)

    assert result.exit_code == 2, result.output
    assert INSTALL_THE_SANDBOX in result.output


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_broken_sandbox_is_shown_as_the_error_it_is(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Installed, but one of its modules cannot be imported.
    refuse(monkeypatch, "watchdog_sandbox.server")

    result = CliRunner().invoke(cli, args)

    assert isinstance(result.exception, ModuleNotFoundError)
    assert result.exception.name == "watchdog_sandbox.server"
    assert "not installed" not in result.output

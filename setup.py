"""Packaging hook, beside pyproject.toml (which holds everything else): the wheel carries the
shipped policies. They live at the repository's top level (`policies/`, where people look for
them), outside the `watchdog` package, so setuptools would leave them out of a wheel and a
`pip install`ed watchdog would have no default policies."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = Path("policies")
INSTALLED = Path("watchdog") / "shipped_policies"


class BuildWithPolicies(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / INSTALLED
        self.mkpath(str(target))
        for source in sorted(SHIPPED.iterdir()):
            if source.suffix in (".yaml", ".yml", ".md"):
                self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithPolicies})

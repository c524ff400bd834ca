"""Shared fixtures: real git repositories in tmp_path and the real qualitykit CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from pathlib import Path

# A minimal project that passes every Python step: typed, formatted, lint-clean, no dead code.
CLEAN_PYPROJECT = """\
[project]
name = "fixture"
version = "0.1.0"
requires-python = ">=3.11"

[tool.qualitykit]
source = ["src"]
{qualitykit}

[tool.ruff]
line-length = 100

[tool.mypy]
strict = true
mypy_path = "src"

[tool.pyright]
include = ["src"]
typeCheckingMode = "strict"
"""

CLEAN_MODULE = '''\
"""A tiny, clean module."""


def double(value: int) -> int:
    """Twice ``value``."""
    return value * 2
'''

CLEAN_TEST = """\
from pkg import double


def test_double() -> None:
    assert double(2) == 4
"""


@dataclass
class Repo:
    """A project in tmp_path, driven through the real ``qualitykit`` command line."""

    root: Path

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def configure(self, qualitykit: str) -> None:
        """Rewrite pyproject.toml with extra lines inside ``[tool.qualitykit]``."""
        self.write("pyproject.toml", CLEAN_PYPROJECT.format(qualitykit=textwrap.dedent(qualitykit)))

    def qualitykit(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = 300,
        wrapper: tuple[str, ...] = (),
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "PYTHONPATH": "src", **(env or {})}
        full_env.pop("GITHUB_ACTIONS", None)
        full_env.pop("GITHUB_STEP_SUMMARY", None)
        return subprocess.run(
            [*wrapper, sys.executable, "-m", "qualitykit", *args],
            cwd=self.root,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def gate(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return self.qualitykit("gate", *args, **kwargs)

    def summary(self) -> dict[str, Any]:
        """The gate's summary.json, keyed by step name."""
        data = json.loads((self.root / ".qualitykit" / "summary.json").read_text())
        return {step["step"]: step for step in data["steps"]}

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=self.root, check=True, capture_output=True, text=True
        ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A clean git repository with a typed package under src/ and one regression test."""
    project = Repo(tmp_path / "project")
    project.root.mkdir()
    project.git("init", "-q", "-b", "main")
    project.git("config", "user.email", "test@example.invalid")
    project.git("config", "user.name", "qualitykit tests")
    project.configure("")
    project.write(
        "src/pkg/__init__.py",
        '"""Fixture package."""\n\nfrom pkg.core import double\n\n__all__ = ["double"]\n',
    )
    project.write("src/pkg/core.py", CLEAN_MODULE)
    project.write("src/pkg/py.typed", "")
    project.write("tests/regression/test_core.py", CLEAN_TEST)
    project.write(".gitignore", ".qualitykit/\n__pycache__/\n")
    return project

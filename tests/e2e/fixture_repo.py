"""Complete fixture repositories for the end-to-end tests, driven as a user drives them.

Every test here runs real programs from the outside: ``make quality`` in a git repository built
in tmp_path, ``git commit`` and ``git push`` through installed pre-commit hooks, the gate on a
copy of a real third-party project. The fixture's Makefile runs the gate with the interpreter
passed in as ``PYTHON`` (this test run's own, which has qualitykit and every tool installed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qualitykit.config_table import BUILTIN_STEPS

VENV_PYTHON = sys.executable
VENV_BIN = Path(sys.executable).parent
# git and make, nothing of this test run's venv: for a run whose tools must come from elsewhere
# (an installed wheel, pre-commit's hook environment).
SYSTEM_PATH = os.pathsep.join(("/usr/local/bin", "/usr/bin", "/bin"))

# What a user sees: the built-in steps in summary order, then the fixture's command step.
BUILTIN_STAGES = BUILTIN_STEPS
# A stage that reads another's results fails with it (badge needs coverage).
# The coverage step runs the same tests as regression, so a failing test fails it too.
DEPENDENTS = {"coverage": ("badge",), "regression": ("coverage", "badge")}
COMMAND_STAGE = "no-todo"
ALL_STAGES = (*BUILTIN_STAGES, COMMAND_STAGE)

# Variables a user's shell does not have and that would leak this test run into the fixture's
# gate: CI switches (they change what the gate prints), make's own (`make e2e` exports them),
# pytest's, and an activated environment.
_LEAKY_VARIABLES = (
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_STEP_SUMMARY",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
    "MAKEOVERRIDES",
    "PYTHONPATH",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_CURRENT_TEST",
    "VIRTUAL_ENV",
    "PRE_COMMIT_HOME",
)

PYPROJECT = """\
[project]
name = "fixture"
version = "0.1.0"
requires-python = ">=3.11"

[tool.qualitykit]
source = ["src"]
{gate}
[tool.qualitykit.commands.no-todo]
description = "README.md has no TODO left"
command = [
    "python",
    "-c",
    '''
import pathlib, sys
text = pathlib.Path("README.md").read_text(encoding="utf-8")
sys.exit("README.md: TODO left" if "TODO" in text else 0)
''',
]
inputs = ["README.md"]

[tool.ruff]
line-length = 100

[tool.mypy]
strict = true
mypy_path = "src"

[tool.pyright]
include = ["src"]
typeCheckingMode = "strict"

[tool.pytest.ini_options]
pythonpath = ["src"]

[tool.qualitykit.coverage]
tests = ["tests"]
floor = 90

[tool.coverage.run]
source = ["src/pkg"]
"""

# The committed coverage files (baseline, badge and its figures), made once per session by
# the real commands and written into every fixture: they depend only on the sources.
_COVERAGE_FILES = (
    "coverage-baseline.json",
    "docs/assets/coverage.svg",
    "docs/assets/coverage.json",
)
_coverage_files_made: dict[str, str] = {}

PACKAGE_INIT = '''\
"""Fixture package."""

from pkg.core import double

__all__ = ["double"]
'''

CORE = '''\
"""A tiny, clean module."""


def double(value: int) -> int:
    """Twice ``value``."""
    return value * 2
'''

REGRESSION_TEST = """\
from pkg import double


def test_double() -> None:
    assert double(2) == 4
"""

# Passes actionlint and zizmor --offline: actions pinned to full SHAs, no default permissions,
# the job's minimal, checkout without persisted credentials.
WORKFLOW = """\
name: ci

on:
  push:

permissions: {}

jobs:
  quality:
    name: make quality
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - name: Check out
        uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          persist-credentials: false
      - name: Run the gate
        run: make quality
"""

# Formatted as mbake formats it (with .bake.toml below); PYTHON comes from the command line.
MAKEFILE = """\
# Fixture project: `make quality PYTHON=...` runs the qualitykit gate with that interpreter.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c

PYTHON ?= python3

.PHONY: quality

quality:
\t$(PYTHON) -m qualitykit gate
"""

BAKE_TOML = "[formatter]\nensure_final_newline = true\n"


@dataclass(frozen=True)
class Run:
    """A finished command: its exit code, output and wall time."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float

    @property
    def output(self) -> str:
        """stdout then stderr (make echoes recipes on stdout; the gate reports on stderr)."""
        return self.stdout + self.stderr

    def lines(self) -> list[str]:
        """The output's lines, trailing whitespace removed."""
        return [line.rstrip() for line in self.output.splitlines()]

    def explain(self) -> str:
        """For assertion messages: what ran and everything it printed."""
        return (
            f"$ {' '.join(self.argv)}\n# exit code {self.returncode}\n"
            f"# --- stdout ---\n{self.stdout}\n# --- stderr ---\n{self.stderr}"
        )


def user_environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a user's shell: no CI or make variables, git config of its own."""
    env = {name: value for name, value in os.environ.items() if name not in _LEAKY_VARIABLES}
    env.update(
        {
            # The machine's git configuration (hooksPath, signing, templates) stays out.
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "qualitykit e2e",
            "GIT_AUTHOR_EMAIL": "e2e@example.invalid",
            "GIT_COMMITTER_NAME": "qualitykit e2e",
            "GIT_COMMITTER_EMAIL": "e2e@example.invalid",
            "PRE_COMMIT_HOME": str(home / "pre-commit"),
        }
    )
    env.update(extra)
    return env


def run(
    argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 300, **extra_env: str
) -> Run:
    """Run ``argv`` in ``cwd`` and capture everything (never raises on a non-zero exit)."""
    started = time.monotonic()
    completed = subprocess.run(
        argv,
        cwd=cwd,
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Run(
        argv=tuple(argv),
        returncode=completed.returncode,
        stdout=completed.stdout,
        stderr=completed.stderr,
        duration_s=time.monotonic() - started,
    )


@dataclass
class FixtureRepo:
    """A complete project in tmp_path: git, pyproject, src/, tests, a workflow, a Makefile."""

    root: Path
    env: dict[str, str]

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` (relative to the root), creating directories."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, name: str) -> str:
        """The text of ``name`` (relative to the root)."""
        return (self.root / name).read_text(encoding="utf-8")

    def configure(self, gate: tuple[str, ...] | None = None, extra: str = "") -> None:
        """Rewrite pyproject.toml: the gate's step list (None: every step) and extra keys."""
        lines = [f"gate = {json.dumps(list(gate))}"] if gate is not None else []
        if extra:
            lines.append(textwrap.dedent(extra).strip())
        self.write("pyproject.toml", PYPROJECT.format(gate="".join(f"{x}\n" for x in lines)))

    def run(self, *argv: str, timeout: float = 300, **extra_env: str) -> Run:
        """Run a command in the fixture's root with the user's environment."""
        return run(list(argv), self.root, self.env, timeout, **extra_env)

    def git(self, *args: str) -> str:
        """Run git in the fixture; fail the test when git fails."""
        result = self.run("git", *args)
        assert result.returncode == 0, result.explain()
        return result.stdout

    def make_quality(self, **extra_env: str) -> Run:
        """``make quality PYTHON=<this venv's python>``, exactly as a user types it."""
        return self.run("make", "quality", f"PYTHON={VENV_PYTHON}", **extra_env)

    def summary(self) -> dict[str, dict[str, Any]]:
        """``.qualitykit/summary.json``'s step results, keyed by step name, in order."""
        data = json.loads(self.read(".qualitykit/summary.json"))
        return {step["step"]: step for step in data["steps"]}


def build_fixture(root: Path, home: Path) -> FixtureRepo:
    """A clean fixture repository on which every stage passes, with one commit."""
    root.mkdir(parents=True)
    home.mkdir(parents=True, exist_ok=True)
    repo = FixtureRepo(root=root, env=user_environment(home))
    repo.git("init", "-q", "-b", "main")
    repo.configure()
    repo.write("README.md", "# fixture\n\nA project for qualitykit's end-to-end tests.\n")
    repo.write("src/pkg/__init__.py", PACKAGE_INIT)
    repo.write("src/pkg/core.py", CORE)
    repo.write("src/pkg/py.typed", "")
    repo.write("tests/regression/test_core.py", REGRESSION_TEST)
    repo.write(".github/workflows/ci.yml", WORKFLOW)
    repo.write("Makefile", MAKEFILE)
    repo.write(".bake.toml", BAKE_TOML)
    repo.write(".gitignore", ".qualitykit/\n__pycache__/\n")
    if not _coverage_files_made:
        for command in (("coverage", "ratchet", "--update"), ("coverage", "badge")):
            made = repo.run(VENV_PYTHON, "-m", "qualitykit", *command)
            assert made.returncode == 0, made.explain()
        _coverage_files_made.update({name: repo.read(name) for name in _COVERAGE_FILES})
    for name, text in _coverage_files_made.items():
        repo.write(name, text)
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "fixture: a clean project")
    return repo

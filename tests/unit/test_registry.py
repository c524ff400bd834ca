"""The step registry: built-in steps in config order, configured commands, unknown names."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from qualitykit.config import Config, parse_config
from qualitykit.config_table import BUILTIN_STEPS
from qualitykit.errors import QualityKitError
from qualitykit.steps import builtin_steps, resolve
from qualitykit.steps.base import StepContext
from qualitykit.steps.command import Command
from qualitykit.steps.pytest import PytestSuite
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def test_builtin_steps_match_the_config_names_in_order() -> None:
    registry = builtin_steps(Config())
    assert tuple(registry) == BUILTIN_STEPS
    assert all(step.name == name for name, step in registry.items())
    assert all(step.description for step in registry.values())


def test_regression_suite_runs_the_configured_paths() -> None:
    step = builtin_steps(parse_config({"regression": ["tests/pinned"]}, "pyproject.toml"))[
        "regression"
    ]
    assert isinstance(step, PytestSuite)
    assert step.default_paths == ("tests/pinned",)


def test_resolve_keeps_the_requested_order() -> None:
    names = ("makefile", "ruff-lint", "mypy")
    assert [step.name for step in resolve(Config(), names)] == list(names)


def test_resolve_finds_configured_commands() -> None:
    config = parse_config(
        {"commands": {"no-todo": {"command": ["grep", "-r", "TODO"], "inputs": ["*.py"]}}},
        "pyproject.toml",
    )
    (step,) = resolve(config, ("no-todo",))
    assert isinstance(step, Command)
    assert step.name == "no-todo"
    assert step.description == "grep -r TODO"
    assert step.cacheable is True


def test_a_command_without_inputs_is_keyed_on_every_project_file(tmp_path: Path) -> None:
    """It may read anything, so any project file's change reruns it (and nothing else does)."""
    config = parse_config({"commands": {"deploy-check": {"command": ["true"]}}}, "pyproject.toml")
    (step,) = resolve(config, ("deploy-check",))
    for name in ("pyproject.toml", "a.py", "docs/notes.md"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    workspace = Workspace(root=tmp_path, config=config)
    ctx = StepContext(workspace, step.name, config.settings(step.name))
    assert step.cacheable is True
    assert step.requires_targets is False
    assert step.inputs(ctx) == ["a.py", "docs/notes.md", "pyproject.toml"]


def test_resolve_unknown_name() -> None:
    with pytest.raises(QualityKitError, match=r"unknown step 'pytest' \(known steps: ruff-format,"):
        resolve(Config(), ("ruff-lint", "pytest"))


def test_resolve_unknown_name_is_a_usage_error() -> None:
    with pytest.raises(QualityKitError) as caught:
        resolve(Config(), ("nope",))
    assert caught.value.exit_code == 2


LAZY = """\
import sys
from qualitykit.config import Config
from qualitykit.steps import resolve
print([step.name for step in resolve(Config(), ("ruff-lint",))])
print(sorted(name for name in sys.modules if name.startswith("qualitykit.steps.")))
print("qualitykit.incremental.plan" in sys.modules, "qualitykit.policy.registry" in sys.modules)
"""


def test_resolve_imports_only_the_steps_it_makes() -> None:
    """No other step's module, nor the incremental planner (coverage.py), nor the policy
    rules: a one-step ``check`` starts a tenth of a second sooner (so does every test
    running one in a subprocess)."""
    done = subprocess.run([sys.executable, "-c", LAZY], check=True, capture_output=True, text=True)
    steps, modules, heavy = done.stdout.splitlines()
    assert steps == "['ruff-lint']"
    expected = ["qualitykit.steps.base", "qualitykit.steps.command", "qualitykit.steps.ruff"]
    assert modules == str(expected)
    assert heavy == "False False"

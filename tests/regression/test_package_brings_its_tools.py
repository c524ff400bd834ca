"""The package's runtime dependencies bring every tool a built-in step runs, bounded above.

Broke: the gate's tools (ruff, mypy, pyright, vulture, actionlint, zizmor, mbake,
coverage-badge) were only this repository's dev dependencies, so ``uv add --dev qualitykit``
or ``pip install qualitykit`` gave a gate whose every step errored "not installed". A step
added later with a new tool would bring the hole back; this test names the missing
requirement in the second the registry and pyproject disagree (the slow
tests/e2e/test_package_e2e.py proves the same on a built wheel). The steps parse their tools'
machine output, so each requirement has an upper bound: a major release fails ``uv lock``, not
a user's gate.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from qualitykit.config import Config
from qualitykit.steps import builtin_steps
from qualitykit.steps.base import LOCK_ALL

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def _runtime_requirements() -> dict[str, Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    requirements = (Requirement(text) for text in project["dependencies"])
    return {canonicalize_name(requirement.name): requirement for requirement in requirements}


def _step_distributions() -> set[str]:
    """Every distribution a built-in step runs (qualitykit's own policy step aside)."""
    names: set[str] = set()
    for step in builtin_steps(Config()).values():
        names.update(tool for tool in step.tools if tool != LOCK_ALL)
        if step.distribution is not None:
            names.add(step.distribution)
    return {canonicalize_name(name) for name in names} - {"qualitykit"}


def test_every_step_tool_is_a_runtime_dependency() -> None:
    missing = sorted(_step_distributions() - set(_runtime_requirements()))
    assert not missing, f"pyproject [project].dependencies lacks {missing}"


def test_every_step_tool_is_bounded_below_its_next_major() -> None:
    requirements = _runtime_requirements()
    unbounded = [
        name
        for name in sorted(_step_distributions() & set(requirements))
        if not any(spec.operator in {"<", "<="} for spec in requirements[name].specifier)
    ]
    assert not unbounded, f"no upper bound on {unbounded}"


def test_pyright_brings_its_own_node() -> None:
    """Without the nodejs extra, pyright needs a system node or downloads one at first run."""
    assert "nodejs" in _runtime_requirements()["pyright"].extras


def test_coverage_badge_gets_a_setuptools_with_pkg_resources() -> None:
    """coverage-badge imports pkg_resources, which setuptools 82 removed."""
    setuptools = _runtime_requirements()["setuptools"]
    assert not setuptools.specifier.contains("82"), setuptools

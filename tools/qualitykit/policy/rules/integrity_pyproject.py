"""Gate integrity in pyproject.toml: settings that switch checks off wholesale."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.policy.project import as_strings, dig
from qualitykit.policy.rule import Hit, Rule
from qualitykit.policy.tomllines import toml_line

if TYPE_CHECKING:
    from collections.abc import Iterator

    from qualitykit.policy.project import PolicyProject
    from qualitykit.policy.rule import RuleOptions

_WEAK_PYTEST = ("--continue-on-collection-errors", "--suppress-no-test-exit-code")


def ruff_lint(document: dict[str, object]) -> dict[str, object]:
    """``[tool.ruff.lint]`` merged over the legacy top-level ``[tool.ruff]`` lint keys."""
    ruff = dig(document, "tool", "ruff")
    return {**ruff, **dig(ruff, "lint")}


class PytestAddopts(Rule):
    """pytest ``addopts`` that let errors pass for the whole project."""

    id = "QK-INT-050"
    family = "integrity"
    title = "pytest addopts that ignore errors"
    fix = "remove the option from addopts"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        ini = project.table("tool", "pytest", "ini_options")
        raw = ini.get("addopts", [])
        words = shlex.split(raw) if isinstance(raw, str) else [str(word) for word in raw]
        for flag in _WEAK_PYTEST:
            if any(word.split("=", 1)[0] == flag for word in words):
                line = toml_line(project.lines(PYPROJECT), "tool.pytest.ini_options", "addopts")
                yield Hit(PYPROJECT, line, f"pytest addopts has {flag}")


class MypyIgnoreErrors(Rule):
    """``ignore_errors = true`` in ``[tool.mypy]`` itself: mypy reports nothing anywhere."""

    id = "QK-INT-051"
    family = "integrity"
    title = "mypy ignore_errors for the whole project"
    fix = "remove ignore_errors; scope it to modules in a [[tool.mypy.overrides]] with a reason"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        if project.table("tool", "mypy").get("ignore_errors") is True:
            line = toml_line(project.lines(PYPROJECT), "tool.mypy", "ignore_errors")
            yield Hit(PYPROJECT, line, "[tool.mypy] ignore_errors = true silences every error")


class RuffIgnoresAll(Rule):
    """ruff's ``ALL`` in an ignore list: every rule off (for those files)."""

    id = "QK-INT-052"
    family = "integrity"
    title = 'ruff ignore = ["ALL"]'
    fix = "ignore the specific rules that do not apply, each with a comment saying why"

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        lint = ruff_lint(project.pyproject)
        lines = project.lines(PYPROJECT)
        for key in ("ignore", "extend-ignore"):
            value = lint.get(key)
            if isinstance(value, list) and "ALL" in value:
                yield Hit(PYPROJECT, toml_line(lines, "tool.ruff.lint", key), f"ruff {key} has ALL")
        for key in ("per-file-ignores", "extend-per-file-ignores"):
            for pattern, codes in dig(lint, key).items():
                if "ALL" in as_strings(codes):
                    line = toml_line(lines, f"tool.ruff.lint.{key}", pattern)
                    yield Hit(PYPROJECT, line, f"ruff {key} turns ALL rules off for {pattern}")


class PyrightOff(Rule):
    """pyright's ``typeCheckingMode = "off"``: the type checker checks nothing."""

    id = "QK-INT-053"
    family = "integrity"
    title = "pyright typeCheckingMode off"
    fix = 'use typeCheckingMode = "standard" or "strict"'

    @override
    def check(self, project: PolicyProject, options: RuleOptions) -> Iterator[Hit]:
        for tool in ("pyright", "basedpyright"):
            if project.table("tool", tool).get("typeCheckingMode") == "off":
                line = toml_line(project.lines(PYPROJECT), f"tool.{tool}", "typeCheckingMode")
                yield Hit(PYPROJECT, line, f'[tool.{tool}] typeCheckingMode = "off"')


RULES: tuple[Rule, ...] = (PytestAddopts(), MypyIgnoreErrors(), RuffIgnoresAll(), PyrightOff())

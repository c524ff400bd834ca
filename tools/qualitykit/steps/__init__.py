"""The registry of built-in steps (one module each) and the configured command steps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.config_table import BUILTIN_STEPS
from qualitykit.errors import QualityKitError
from qualitykit.steps.badge import Badge
from qualitykit.steps.command import Command
from qualitykit.steps.coverage import Coverage
from qualitykit.steps.makefile import Makefile
from qualitykit.steps.mypy import Mypy
from qualitykit.steps.policy import Policy, holds_date
from qualitykit.steps.pyright import Pyright
from qualitykit.steps.regression import Regression
from qualitykit.steps.ruff import RuffFormat, RuffLint
from qualitykit.steps.vulture import Vulture
from qualitykit.steps.workflows import Actionlint, Zizmor

if TYPE_CHECKING:
    from qualitykit.config import Config
    from qualitykit.steps.base import Step


def builtin_steps(config: Config) -> dict[str, Step]:
    """Every built-in step, keyed by name, in BUILTIN_STEPS order."""
    steps: list[Step] = [
        RuffFormat(),
        RuffLint(),
        Mypy(),
        Pyright(),
        Vulture(),
        Regression(config.regression),
        Actionlint(),
        Zizmor(),
        Makefile(),
        Policy(config.policy.base, dated=holds_date(config.policy.rules)),
        Coverage(config.coverage.tests),
        Badge(),
    ]
    registry = {step.name: step for step in steps}
    assert tuple(registry) == BUILTIN_STEPS, "steps registry and config.BUILTIN_STEPS disagree"  # noqa: S101
    return registry


def with_prerequisites(steps: list[Step], known: dict[str, Step]) -> list[Step]:
    """``steps`` plus the steps they need (transitively), prerequisites first."""
    ordered: list[Step] = []
    seen: set[str] = set()

    def visit(step: Step, trail: tuple[str, ...]) -> None:
        if step.name in seen:
            return
        if step.name in trail:
            raise QualityKitError(f"steps need each other in a cycle: {' -> '.join(trail)}")
        for name in step.needs:
            visit(known[name], (*trail, step.name))
        seen.add(step.name)
        ordered.append(step)

    for step in steps:
        visit(step, ())
    return ordered


def resolve(config: Config, names: tuple[str, ...]) -> list[Step]:
    """The steps called ``names`` (built-in or configured command), in that order."""
    known: dict[str, Step] = builtin_steps(config)
    known.update({name: Command(name, spec) for name, spec in config.commands.items()})
    missing = [name for name in names if name not in known]
    if missing:
        choices = ", ".join(known)
        raise QualityKitError(f"unknown step {missing[0]!r} (known steps: {choices})")
    return with_prerequisites([known[name] for name in names], known)

"""The registry of built-in steps (one module each) and the configured command steps."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

from qualitykit.config_table import BUILTIN_STEPS
from qualitykit.errors import QualityKitError
from qualitykit.steps.command import Command

if TYPE_CHECKING:
    from collections.abc import Callable

    from qualitykit.config import Config
    from qualitykit.steps.base import Step

# Where each built-in step is (its module under qualitykit.steps, its class), in BUILTIN_STEPS
# order: a module is imported only when its step is used (``qualitykit check ruff-lint`` loads
# neither coverage.py nor the policy rules).
_WHERE: dict[str, tuple[str, str]] = {
    "ruff-format": ("ruff", "RuffFormat"),
    "ruff-lint": ("ruff", "RuffLint"),
    "mypy": ("mypy", "Mypy"),
    "pyright": ("pyright", "Pyright"),
    "vulture": ("vulture", "Vulture"),
    "regression": ("regression", "Regression"),
    "actionlint": ("workflows", "Actionlint"),
    "zizmor": ("workflows", "Zizmor"),
    "makefile": ("makefile", "Makefile"),
    "policy": ("policy", "Policy"),
    "coverage": ("coverage", "Coverage"),
    "badge": ("badge", "Badge"),
}
assert tuple(_WHERE) == BUILTIN_STEPS, "steps registry and config.BUILTIN_STEPS disagree"  # noqa: S101


def builtin_step(name: str, config: Config) -> Step:
    """The built-in step ``name`` (one of BUILTIN_STEPS), made from ``config``."""
    module, attribute = _WHERE[name]
    # The table names only Step subclasses (test_registry makes every one of them).
    found = cast(
        "type[Step]", getattr(importlib.import_module(f"qualitykit.steps.{module}"), attribute)
    )
    return found.from_config(config)


def builtin_steps(config: Config) -> dict[str, Step]:
    """Every built-in step, keyed by name, in BUILTIN_STEPS order."""
    return {name: builtin_step(name, config) for name in BUILTIN_STEPS}


def with_prerequisites(steps: list[Step], known: Callable[[str], Step]) -> list[Step]:
    """``steps`` plus the steps they need (transitively), prerequisites first."""
    ordered: list[Step] = []
    seen: set[str] = set()

    def visit(step: Step, trail: tuple[str, ...]) -> None:
        if step.name in seen:
            return
        if step.name in trail:
            raise QualityKitError(f"steps need each other in a cycle: {' -> '.join(trail)}")
        for name in step.needs:
            visit(known(name), (*trail, step.name))
        seen.add(step.name)
        ordered.append(step)

    for step in steps:
        visit(step, ())
    return ordered


def resolve(config: Config, names: tuple[str, ...]) -> list[Step]:
    """The steps called ``names`` (built-in or configured command), in that order."""
    made: dict[str, Step] = {name: Command(name, spec) for name, spec in config.commands.items()}
    known = (*BUILTIN_STEPS, *(name for name in made if name not in BUILTIN_STEPS))
    missing = [name for name in names if name not in known]
    if missing:
        choices = ", ".join(known)
        raise QualityKitError(f"unknown step {missing[0]!r} (known steps: {choices})")

    def step(name: str) -> Step:
        if name not in made:
            made[name] = builtin_step(name, config)
        return made[name]

    return with_prerequisites([step(name) for name in names], step)

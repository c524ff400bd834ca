"""``[tool.qualitykit]`` in pyproject.toml, validated into a :class:`Config`.

Every error names the file and the key, in one line, and ends the command with exit code 2.
"""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qualitykit.errors import ConfigError
from qualitykit.policy.config import PolicyConfig

if TYPE_CHECKING:
    from pathlib import Path

PYPROJECT = "pyproject.toml"

# The built-in steps, in the order the summary shows them. steps/__init__.py registers one
# module per name; a unit test keeps the two in step.
BUILTIN_STEPS: tuple[str, ...] = (
    "ruff-format",
    "ruff-lint",
    "mypy",
    "pyright",
    "vulture",
    "regression",
    "actionlint",
    "zizmor",
    "makefile",
    "policy",
    "coverage",
    "badge",
)

Seconds = Annotated[float, Field(gt=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
StepName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )


class StepSettings(_Section):
    """Overrides for one built-in step: ``[tool.qualitykit.steps.NAME]``."""

    paths: tuple[str, ...] | None = None
    args: tuple[str, ...] = ()
    timeout: Seconds | None = None


class CommandStep(_Section):
    """A generic step: any command, judged by its exit code: ``[tool.qualitykit.commands.NAME]``."""

    command: Annotated[tuple[str, ...], Field(min_length=1)]
    inputs: tuple[str, ...] = ()
    timeout: Seconds | None = None
    description: str = ""


class CoverageGroup(_Section):
    """A module group: files matched by ``include`` (gitignore-style globs), its own floor."""

    include: Annotated[tuple[str, ...], Field(min_length=1)]
    floor: Percent | None = None
    milestones: tuple[Percent, ...] = ()


class CoverageConfig(_Section):
    """``[tool.qualitykit.coverage]``: the coverage step, its floors, ratchet and badge."""

    tests: tuple[str, ...] = ("tests",)
    floor: Percent | None = None
    tolerance: Annotated[float, Field(ge=0)] = 0.1
    ratchet: bool = True
    baseline: str = "coverage-baseline.json"
    groups: dict[str, CoverageGroup] = Field(default_factory=dict[str, CoverageGroup])
    badge: str = "docs/assets/coverage.svg"
    badge_tolerance: Annotated[float, Field(ge=0)] = 0.0
    diff_fail_under: Percent | None = None
    core: Literal["auto", "ctrace", "pytrace", "sysmon"] = "auto"


class MutationConfig(_Section):
    """``[tool.qualitykit.mutation]``: mutation testing with cosmic-ray's operators."""

    modules: tuple[str, ...] = ()
    exclude_modules: tuple[str, ...] = ()
    exclude_operators: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    python: str | None = None
    workers: Annotated[int, Field(ge=0)] = 0
    timeout_factor: Annotated[float, Field(ge=1)] = 5.0
    timeout_min: Seconds = 2.0
    threshold: Percent = 0.0
    ratchet: bool = False
    baseline: str = "mutation-baseline.json"
    tolerance: Annotated[float, Field(ge=0)] = 0.5
    allow_errors: bool = False

    @model_validator(mode="after")
    def _valid_patterns(self) -> MutationConfig:
        for pattern in self.exclude_operators:
            try:
                re.compile(pattern)
            except re.error as error:
                msg = f"exclude-operators: {pattern!r} is not a regular expression: {error}"
                raise ValueError(msg) from None
        return self


class Config(_Section):
    """The whole ``[tool.qualitykit]`` table with its defaults filled in."""

    source: tuple[str, ...] = ("src",)
    regression: tuple[str, ...] = ("tests/regression",)
    gate: tuple[StepName, ...] | None = None
    jobs: Annotated[int, Field(ge=0)] = 0
    timeout: Seconds = 900.0
    steps: dict[StepName, StepSettings] = Field(default_factory=dict[str, StepSettings])
    commands: dict[StepName, CommandStep] = Field(default_factory=dict[str, CommandStep])
    coverage: CoverageConfig = Field(default_factory=CoverageConfig)
    mutation: MutationConfig = Field(default_factory=MutationConfig)
    policy: PolicyConfig = Field(default_factory=PolicyConfig)

    @model_validator(mode="after")
    def _known_names(self) -> Config:
        for name in self.steps:
            if name not in BUILTIN_STEPS:
                msg = f"steps.{name}: not a built-in step (built-ins: {', '.join(BUILTIN_STEPS)})"
                raise ValueError(msg)
        for name in self.commands:
            if name in BUILTIN_STEPS:
                msg = f"commands.{name}: clashes with the built-in step of that name"
                raise ValueError(msg)
        known = set(BUILTIN_STEPS) | set(self.commands)
        for name in self.gate or ():
            if name not in known:
                msg = f"gate: unknown step {name!r} (known: {', '.join(sorted(known))})"
                raise ValueError(msg)
        return self

    @property
    def gate_steps(self) -> tuple[str, ...]:
        """The steps ``qualitykit gate`` runs: ``gate`` if set, else every built-in and command."""
        if self.gate is not None:
            return self.gate
        return BUILTIN_STEPS + tuple(self.commands)

    def settings(self, step: str) -> StepSettings:
        """The overrides of a built-in step (defaults when none are configured)."""
        return self.steps.get(step, StepSettings())


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    # A dict key that fails validation has the pseudo-part "[key]" in its location.
    where = ".".join(str(part) for part in first["loc"] if part not in {"__root__", "[key]"})
    table = "[tool.qualitykit" + (f".{where}" if where else "") + "]"
    if first["type"] == "extra_forbidden":
        parent, _, key = where.rpartition(".")
        table = "[tool.qualitykit" + (f".{parent}" if parent else "") + "]"
        return f"unknown key {key!r} in {table}"
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{table}: {message}"


def parse_config(data: dict[str, Any], source: str) -> Config:
    """Validate the ``[tool.qualitykit]`` table; ``source`` names the file in errors."""
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{source}: {_describe(error)}") from None


def load_config(root: Path) -> Config:
    """Read ``[tool.qualitykit]`` from ``root/pyproject.toml`` (defaults when there is none)."""
    path = root / PYPROJECT
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config(source=_default_source(root))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read: {error}") from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    tool: object = document.get("tool", {})
    table: object = (
        cast("dict[str, object]", tool).get("qualitykit", {}) if isinstance(tool, dict) else {}
    )
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.qualitykit] must be a table")
    data = cast("dict[str, Any]", table)
    data = {"source": list(_default_source(root)), **data}
    return parse_config(data, str(path))


def _default_source(root: Path) -> tuple[str, ...]:
    return ("src",) if (root / "src").is_dir() else (".",)

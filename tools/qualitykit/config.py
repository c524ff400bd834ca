"""``[tool.qualitykit]`` in pyproject.toml, validated into a :class:`Config`.

Every error names the file and the key, in one line, and ends the command with exit code 2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    Strict,
    ValidationError,
    model_validator,
)

from qualitykit.config_table import (
    BUILTIN_STEPS,
    MAX_NAME,
    PYPROJECT,
    describe,
    read_table,
    show,
)
from qualitykit.config_values import (
    check_file_path,
    check_glob,
    check_regex,
    check_root_path,
    check_text,
    check_word,
)
from qualitykit.errors import ConfigError
from qualitykit.policy.config import PolicyConfig, PolicyTableError, parse_policy

if TYPE_CHECKING:
    from pathlib import Path


# Ranges checked at load time, so that no value that passed validation crashes a step later
# (an infinite or 1e308 s timeout overflows the clock arithmetic).
MAX_TIMEOUT_S = 7 * 24 * 3600.0
MAX_PARALLEL = 1024
MAX_ITEMS = 256

# Strict types: TOML's `true` is not a 1-second timeout, "10" is not a number, 0 is not false.
# An integer where a float is expected is fine (`timeout = 60`).
Seconds = Annotated[float, Strict(), Field(gt=0, le=MAX_TIMEOUT_S, allow_inf_nan=False)]
Percent = Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)]
Points = Annotated[float, Strict(), Field(ge=0, le=100, allow_inf_nan=False)]
Parallel = Annotated[int, Strict(), Field(ge=0, le=MAX_PARALLEL)]
Flag = Annotated[bool, Strict()]
StepName = Annotated[str, Strict(), Field(pattern=r"^[a-z][a-z0-9-]*$", max_length=MAX_NAME)]
GroupName = Annotated[str, Strict(), Field(max_length=MAX_NAME), AfterValidator(check_word)]
Text = Annotated[str, Strict(), AfterValidator(check_text)]
Word = Annotated[str, Strict(), AfterValidator(check_word)]
Regex = Annotated[str, Strict(), AfterValidator(check_regex)]
RootPath = Annotated[str, Strict(), AfterValidator(check_root_path)]
FilePath = Annotated[str, Strict(), AfterValidator(check_file_path)]
Glob = Annotated[str, Strict(), AfterValidator(check_glob)]
Args = Annotated[tuple[Text, ...], Field(max_length=MAX_ITEMS)]
Roots = Annotated[tuple[RootPath, ...], Field(min_length=1, max_length=MAX_ITEMS)]
Globs = Annotated[tuple[Glob, ...], Field(max_length=MAX_ITEMS)]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Section(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True
    )


class StepSettings(_Section):
    """Overrides for one built-in step: ``[tool.qualitykit.steps.NAME]``."""

    paths: Roots | None = None
    args: Args = ()
    timeout: Seconds | None = None
    # mypy only: true adds --strict, false never does; unset: --strict only when the project
    # has no mypy configuration of its own (its own settings win).
    strict: Flag | None = None


class CommandStep(_Section):
    """A generic step: any command, judged by its exit code: ``[tool.qualitykit.commands.NAME]``."""

    command: Annotated[tuple[Text, ...], Field(min_length=1, max_length=MAX_ITEMS)]
    inputs: Globs = ()
    timeout: Seconds | None = None
    description: Text = ""

    @model_validator(mode="after")
    def _a_program(self) -> CommandStep:
        if not self.command[0].strip():
            raise ValueError("command: the program (its first item) must not be empty")
        return self


class CoverageGroup(_Section):
    """A module group: files matched by ``include`` (gitignore-style globs), its own floor."""

    include: Annotated[tuple[Glob, ...], Field(min_length=1, max_length=MAX_ITEMS)]
    floor: Percent | None = None
    milestones: Annotated[tuple[Percent, ...], Field(max_length=MAX_ITEMS)] = ()


class CoverageConfig(_Section):
    """``[tool.qualitykit.coverage]``: the coverage step, its floors, ratchet and badge."""

    # Empty: pytest runs as the project configured it (its testpaths and addopts).
    tests: Annotated[tuple[RootPath, ...], Field(max_length=MAX_ITEMS)] = ()
    floor: Percent | None = None
    tolerance: Points = 0.1
    ratchet: Flag = True
    baseline: FilePath = "coverage-baseline.json"
    groups: Annotated[dict[GroupName, CoverageGroup], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=dict[str, CoverageGroup]
    )
    badge: FilePath = "docs/assets/coverage.svg"
    badge_tolerance: Points = 0.0
    diff_fail_under: Percent | None = None
    core: Literal["auto", "ctrace", "pytrace", "sysmon"] = "auto"

    @model_validator(mode="after")
    def _an_svg_badge(self) -> CoverageConfig:
        # The figures are kept beside the badge under the same name with .json: a badge that
        # is not .svg could be its own record (or the baseline).
        if not self.badge.endswith(".svg"):
            raise ValueError(f"badge: {show(self.badge)} must be an .svg file")
        return self


class MutationConfig(_Section):
    """``[tool.qualitykit.mutation]``: mutation testing with cosmic-ray's operators."""

    modules: Globs = ()
    exclude_modules: Globs = ()
    exclude_operators: Annotated[tuple[Regex, ...], Field(max_length=MAX_ITEMS)] = ()
    tests: Args = ()
    python: Word | None = None
    workers: Parallel = 0
    timeout_factor: Annotated[float, Strict(), Field(ge=1, le=1000, allow_inf_nan=False)] = 5.0
    timeout_min: Seconds = 2.0
    threshold: Percent = 0.0
    ratchet: Flag = False
    baseline: FilePath = "mutation-baseline.json"
    tolerance: Points = 0.5
    allow_errors: Flag = False


class IncrementalConfig(_Section):
    """``[tool.qualitykit.incremental]``: test-impact selection in the coverage step."""

    # Off by default: `qualitykit gate --incremental` turns it on for one run.
    enabled: Flag = False
    # Files no test depends on (docs, images): their change never forces a full run.
    irrelevant: Globs = ()


class TriageConfig(_Section):
    """``[tool.qualitykit.triage]``: what ``qualitykit triage`` holds a red suite to."""

    # Unset: no floor, no budget; only new failures fail the run (hold-the-line).
    pass_rate_floor: Percent | None = None
    budget: Seconds | None = None
    # ``--slow`` lists the tests that took longer (``--timeout-per-test`` wins); unset: none.
    per_test_timeout: Seconds | None = None


class Config(_Section):
    """The whole ``[tool.qualitykit]`` table with its defaults filled in."""

    source: Roots = ("src",)
    regression: Roots = ("tests/regression",)
    gate: Annotated[tuple[StepName, ...], Field(max_length=MAX_ITEMS)] | None = None
    jobs: Parallel = 0
    timeout: Seconds = 900.0
    # `gate --fail-fast` is for local use: under CI=true every step runs unless this opts in.
    fail_fast_in_ci: Flag = False
    steps: dict[StepName, StepSettings] = Field(default_factory=dict[str, StepSettings])
    commands: Annotated[dict[StepName, CommandStep], Field(max_length=MAX_ITEMS)] = Field(
        default_factory=dict[str, CommandStep]
    )
    # The committed record of known findings (qualitykit.baseline); unset: the default name,
    # and no file there means no baseline. Set: the file must exist.
    baseline_file: FilePath | None = None
    coverage: CoverageConfig = Field(default_factory=CoverageConfig)
    mutation: MutationConfig = Field(default_factory=MutationConfig)
    triage: TriageConfig = Field(default_factory=TriageConfig)
    incremental: IncrementalConfig = Field(default_factory=IncrementalConfig)
    # A msgspec Struct validated by the policy package itself (its own one-line errors).
    policy: Annotated[PolicyConfig, PlainValidator(parse_policy)] = Field(
        default_factory=PolicyConfig
    )

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
        self._check_gate()
        return self

    def _check_gate(self) -> None:
        if self.gate is None:
            return
        if not self.gate:
            # "gate passed: 0 steps" would be a pass that proved nothing.
            msg = "gate: empty, so it would check nothing; name steps, or remove it to run all"
            raise ValueError(msg)
        known = set(BUILTIN_STEPS) | set(self.commands)
        seen: set[str] = set()
        for name in self.gate:
            if name not in known:
                msg = f"gate: unknown step {name!r} (known: {', '.join(sorted(known))})"
                raise ValueError(msg)
            if name in seen:
                raise ValueError(f"gate: {name!r} is listed twice")
            seen.add(name)

    @property
    def gate_steps(self) -> tuple[str, ...]:
        """The steps ``qualitykit gate`` runs: ``gate`` if set, else every built-in and command."""
        if self.gate is not None:
            return self.gate
        return BUILTIN_STEPS + tuple(self.commands)

    def settings(self, step: str) -> StepSettings:
        """The overrides of a built-in step (defaults when none are configured)."""
        return self.steps.get(step, StepSettings())


def parse_config(data: dict[str, Any], source: str) -> Config:
    """Validate the ``[tool.qualitykit]`` table; ``source`` names the file in errors."""
    try:
        return Config.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{source}: {describe(error)}") from None
    except PolicyTableError as error:
        raise ConfigError(f"{source}: {error}") from None


def load_config(root: Path) -> Config:
    """Read ``[tool.qualitykit]`` from ``root/pyproject.toml`` (defaults when there is none)."""
    table = read_table(root)
    if table is None:
        return Config(source=_default_source(root))
    data = {"source": list(_default_source(root)), **table}
    return parse_config(data, str(root / PYPROJECT))


def _default_source(root: Path) -> tuple[str, ...]:
    return ("src",) if (root / "src").is_dir() else (".",)

"""The step contract: every built-in step is a :class:`Step` with the same shape.

``command(ctx)`` builds argv asking the tool for machine-readable output; ``parse(run, ctx)``
turns exit code + output into an :class:`Outcome`; ``targets(ctx)`` names the files it checks
(0 targets is an error) and ``inputs(ctx)`` every file whose content its result depends on
(the cache key). The runner owns timing, timeouts, signals and missing tools.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from qualitykit.errors import ConfigError, ToolOutputError
from qualitykit.results import Counts, CoverageResult, Finding, Status

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.config import Config, StepSettings
    from qualitykit.workspace import Workspace

PYTHON_FILES = ("*.py", "*.pyi")
_T = TypeVar("_T")
LOCK_ALL = "*"
# How every "this step had nothing to check" error starts.
CHECKED_NONE = "checked 0 files"


@dataclass(frozen=True)
class StepContext:
    """What a step may read: the workspace and its own settings."""

    workspace: Workspace
    name: str
    settings: StepSettings

    @property
    def root(self) -> Path:
        """The project root; every step runs with it as the working directory."""
        return self.workspace.root

    def state_path(self, *parts: str) -> Path:
        """A path under ``.qualitykit/`` for this run's generated files."""
        return self.workspace.state_dir.joinpath(*parts)

    def files_under(self, roots: tuple[str, ...], patterns: tuple[str, ...]) -> list[str]:
        """Project files at or below any of ``roots`` whose base name matches a pattern."""
        bases = tuple(root.strip("/") for root in roots)

        def under(name: str) -> bool:
            return any(
                base in {"", "."} or name == base or name.startswith(base + "/") for base in bases
            )

        return [
            name
            for name in self.workspace.files
            if under(name) and any(fnmatchcase(name.rsplit("/", 1)[-1], p) for p in patterns)
        ]


def named_files(argv: list[str] | tuple[str, ...], ctx: StepContext) -> list[str]:
    """The project files ``argv`` names: an element (or an option's ``=value``) that is one.

    ``--config-file=ci/mypy.ini`` or ``scripts/check_docs.py``: what a tool is told to read
    is one of its inputs, so editing it reruns the step.
    """
    known = set(ctx.workspace.files)
    root = os.path.realpath(ctx.root)
    found: set[str] = set()
    for element in argv:
        for word in {element, element.partition("=")[2]}:
            if not word:
                continue
            resolved = os.path.realpath(os.path.join(root, word))  # noqa: PTH118 - may be absolute
            name = os.path.relpath(resolved, root).replace(os.sep, "/")
            if name in known:
                found.add(name)
    return sorted(found)


@dataclass(frozen=True)
class Completed:
    """A finished tool process: what the parser gets."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str


@dataclass(frozen=True)
class Outcome:
    """What a parser concludes from a tool's output."""

    status: Status
    summary: str = ""
    findings: tuple[Finding, ...] = ()
    counts: Counts = field(default_factory=Counts)
    notes: tuple[str, ...] = ()
    coverage: CoverageResult | None = None


class Step:
    """Base of every built-in step; subclasses set the class attributes and override hooks."""

    name: str
    description: str
    # uv.lock packages whose versions are part of the cache key; LOCK_ALL keys on the whole lock
    # (steps whose result depends on every installed library: type checkers, test suites).
    tools: ClassVar[tuple[str, ...]] = ()
    # The installed distribution that does the checking: its version is the one SARIF names.
    distribution: ClassVar[str | None] = None
    # Config files read besides the targets (gitignore-style patterns).
    config_files: ClassVar[tuple[str, ...]] = ("/pyproject.toml",)
    # Environment variables that change the tool's behaviour.
    env_vars: ClassVar[tuple[str, ...]] = ()
    default_timeout_s: float | None = None
    # Steps whose results this one reads; they run first, and their keys are part of its key.
    needs: tuple[str, ...] = ()
    # Options of the tool that make it write files it checks (``--fix``): refused in ``args``.
    writing_args: ClassVar[tuple[str, ...]] = ()
    # Whether known findings may be recorded in the baseline (qualitykit.baseline): only steps
    # that fail by their findings alone. A failing test, a coverage floor or a command's exit
    # code stays red.
    baselinable: ClassVar[bool] = False
    # Whether a baselined finding is recognised by its code line; False: by file and message
    # (a finding about the whole file whose line is wherever the first change would be).
    baseline_by_line: ClassVar[bool] = True

    @classmethod
    def from_config(cls, config: Config) -> Self:
        """The step as the project's configuration makes it (most steps take nothing from it)."""
        del config
        return cls()

    def environment(self, ctx: StepContext) -> dict[str, str]:
        """Extra environment variables for the tool (part of the cache key via argv/inputs)."""
        del ctx
        return {}

    def outputs_present(self, ctx: StepContext) -> bool:
        """Whether the files a cached PASS left for dependent steps are still there."""
        del ctx
        return True

    @property
    def cacheable(self) -> bool:
        """Whether a PASS of this step may be reused when its key is unchanged."""
        return True

    @property
    def requires_targets(self) -> bool:
        """Whether having no file to check makes this step an error (fail closed)."""
        return True

    def targets(self, ctx: StepContext) -> list[str]:
        """The files this step checks (an empty list makes the step an error)."""
        raise NotImplementedError

    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        """The paths (or patterns) the targets are looked for in, for messages."""
        return ctx.settings.paths or ()

    def unmatched(self, ctx: StepContext) -> str:
        """Which paths matched no project file: why the step has nothing to check."""
        paths = self.searched(ctx)
        if not paths:
            return "no project file matched the step's paths"
        return f"no project file matched {', '.join(paths)}"

    def nothing_checked(self, ctx: StepContext, tool: str) -> ToolOutputError:
        """The error for a tool that reports having checked none of the files it was given."""
        given = self.targets(ctx)
        shown = ", ".join(given[:3]) + (", ..." if len(given) > 3 else "")
        where = ", ".join(self.searched(ctx)) or "the step's paths"
        msg = (
            f"{CHECKED_NONE}: {tool}'s own configuration excludes every file under {where} "
            f"({len(given)} given: {shown})"
        )
        return ToolOutputError(msg)

    def refuse_writing_args(self, ctx: StepContext) -> None:
        """Raise ConfigError when the step's ``args`` would let the tool write files."""
        for arg in ctx.settings.args:
            flag = arg.split("=", 1)[0]
            if flag in self.writing_args:
                msg = (
                    f"{ctx.root / 'pyproject.toml'}: [tool.qualitykit.steps.{self.name}] args: "
                    f"{flag!r} would let {self.name} change the files it checks; a check only reads"
                )
                raise ConfigError(msg)

    def inputs(self, ctx: StepContext) -> list[str]:
        """Every file whose content the result depends on: targets, config files, files in args."""
        return sorted(
            set(self.targets(ctx))
            | set(ctx.workspace.select(self.config_files))
            | set(named_files(ctx.settings.args, ctx))
        )

    def command(self, ctx: StepContext) -> list[str]:
        """Argv asking the tool for machine-readable output."""
        raise NotImplementedError

    def prepare(self, ctx: StepContext) -> None:
        """Called before the tool runs (e.g. to remove a stale report file)."""

    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        """Exit code and output to an outcome; raise ToolOutputError when they do not parse."""
        raise NotImplementedError


class ToolModel(BaseModel):
    """Base of the models of tools' JSON output: unknown fields are ignored, types checked."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def parse_json_as(kind: type[_T], text: str, what: str) -> _T:
    """Validate a tool's JSON output into ``kind``; ToolOutputError (step error) if it is not."""
    try:
        return TypeAdapter(kind).validate_json(text)
    except ValidationError as error:
        snippet = text.strip().splitlines()[0][:120] if text.strip() else "(empty)"
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        msg = f"{what} does not parse ({where}: {first['msg']}): {snippet}"
        raise ToolOutputError(msg) from None


def unexpected_exit(run: Completed, expected: str) -> ToolOutputError:
    """The error for an exit code the tool does not document for a finished check."""
    last = (run.stderr.strip() or run.stdout.strip() or "no output").splitlines()[-1][:200]
    return ToolOutputError(f"exit code {run.returncode} (expected {expected}): {last}")


def outcome_from_findings(findings: list[Finding], files: int | None) -> Outcome:
    """Pass when there are no findings, else fail, with counts filled in."""
    counts = Counts(files=files, findings=len(findings))
    status = Status.FAIL if findings else Status.PASS
    return Outcome(
        status=status, findings=tuple(findings), counts=counts, summary=counts.describe()
    )

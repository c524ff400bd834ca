"""mypy as JSON (``-O json``), through an adapter that also reports the files mypy checked.

Strictness: the project's own mypy configuration when it has one; ``--strict`` when it has
none or asks for it (``[tool.qualitykit.steps.mypy] strict = true``).
"""

from __future__ import annotations

import configparser
import sys
import tomllib
from typing import TYPE_CHECKING

from typing_extensions import override

from qualitykit.errors import ToolOutputError
from qualitykit.results import Finding, Severity
from qualitykit.steps.base import (
    LOCK_ALL,
    PYTHON_FILES,
    Completed,
    Outcome,
    Step,
    StepContext,
    ToolModel,
    outcome_from_findings,
    parse_json_as,
    unexpected_exit,
)
from qualitykit.steps.ruff import relative

if TYPE_CHECKING:
    from pathlib import Path


class MypyDiagnostic(ToolModel):
    """One line of ``mypy -O json``."""

    file: str
    line: int
    column: int
    message: str
    hint: str | None = None
    code: str | None = None
    severity: str


class MypySources(ToolModel):
    """The adapter's last line: the sources of mypy's build."""

    qualitykit_sources: tuple[str, ...]


def has_mypy_config(root: Path) -> bool:
    """Whether the project configures mypy itself (the files mypy reads, in its own order)."""
    if (root / "mypy.ini").is_file() or (root / ".mypy.ini").is_file():
        return True
    try:
        pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        pyproject = {}
    tool: object = pyproject.get("tool")
    if isinstance(tool, dict) and "mypy" in tool:
        return True
    setup = configparser.ConfigParser(interpolation=None)
    try:
        setup.read(root / "setup.cfg", encoding="utf-8")
    # qualitykit: allow[QK-EXC-002] mypy reads setup.cfg itself and reports it
    except (configparser.Error, UnicodeDecodeError):
        return False
    return setup.has_section("mypy")


class Mypy(Step):
    """mypy over the configured source paths, with the project's own strictness."""

    name = "mypy"
    baselinable = True
    distribution = "mypy"
    description = "mypy (the project's mypy config; --strict when it has none)"
    tools = (LOCK_ALL,)
    config_files = ("/pyproject.toml", "/mypy.ini", "/.mypy.ini", "/setup.cfg", "/uv.lock")
    env_vars = ("MYPYPATH",)
    # It installs packages into the environment (and asks questions on stdin).
    writing_args = ("--install-types",)

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        return ctx.settings.paths or ctx.workspace.config.source

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        # A module with a stub beside it is one module to mypy: given both files it stops with
        # "Duplicate module named …" and checks nothing. It reads the stub (as on import).
        found = ctx.files_under(self.searched(ctx), PYTHON_FILES)
        stubs = {name for name in found if name.endswith(".pyi")}
        return [name for name in found if f"{name}i" not in stubs]

    def strict(self, ctx: StepContext) -> bool:
        """Whether to add ``--strict``: the setting, else only without a project mypy config.

        A ``--config-file`` in the step's ``args`` is the project's config too.
        """
        if ctx.settings.strict is not None:
            return ctx.settings.strict
        named = any(arg.split("=", 1)[0] == "--config-file" for arg in ctx.settings.args)
        return not named and not has_mypy_config(ctx.root)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            sys.executable,
            "-m",
            "qualitykit.adapters.mypy_json",
            *(["--strict"] if self.strict(ctx) else []),
            "-O",
            "json",
            "--no-color-output",
            "--no-error-summary",
            f"--cache-dir={ctx.state_path('mypy_cache')}",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode not in {0, 1}:
            raise unexpected_exit(run, "0 or 1")
        findings: list[Finding] = []
        sources: MypySources | None = None
        for line in run.stdout.splitlines():
            if not line.strip():
                continue
            if line.startswith('{"qualitykit_sources"'):
                sources = parse_json_as(MypySources, line, "mypy adapter's sources line")
                continue
            entry = parse_json_as(MypyDiagnostic, line, "mypy output line")
            message = f"{entry.message} ({entry.hint})" if entry.hint else entry.message
            findings.append(
                Finding(
                    file=relative(entry.file, ctx.root),
                    line=entry.line,
                    col=entry.column + 1,  # mypy's JSON columns are 0-based
                    code=entry.code,
                    message=message,
                    severity=Severity.ERROR if entry.severity == "error" else Severity.NOTE,
                )
            )
        if sources is None:
            raise ToolOutputError("mypy adapter printed no sources line (did mypy finish?)")
        if not sources.qualitykit_sources:
            raise self.nothing_checked(ctx, "mypy")
        errors = [finding for finding in findings if finding.severity is Severity.ERROR]
        # With -O json mypy exits 1 on notes alone (it counts notes by looking for ": note:"
        # in its text format), so notes without errors allow either exit code.
        allowed = {1} if errors else {0, 1} if findings else {0}
        if run.returncode not in allowed:
            detail = run.stderr.strip()[:200]
            msg = f"mypy exited {run.returncode} with {len(errors)} errors: {detail}"
            raise ToolOutputError(msg)
        return outcome_from_findings(errors, files=len(sources.qualitykit_sources))

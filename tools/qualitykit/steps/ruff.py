"""ruff format (check only, never rewrites) and ruff lint (``--no-fix``), both as JSON.

Both run through ``qualitykit.adapters.ruff_json``, which also reports the files ruff itself
resolved: a tree whose every file ruff's own configuration excludes is an error, not a pass.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import ClassVar

from typing_extensions import override

from qualitykit.results import Finding
from qualitykit.steps.base import (
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


def relative(name: str, root: Path) -> str:
    """A tool-reported path relative to the project root when it is inside it."""
    path = Path(name)
    if path.is_absolute():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return name
    return path.as_posix()


class RuffLocation(ToolModel):
    """A position in ruff's JSON (1-based row and column)."""

    row: int
    column: int


class RuffDiagnostic(ToolModel):
    """One entry of ``ruff check|format --output-format=json``."""

    filename: str
    code: str | None = None
    message: str | None = None
    location: RuffLocation | None = None


class RuffReport(ToolModel):
    """The adapter's document: the files ruff resolved and its JSON diagnostics."""

    files: tuple[str, ...]
    diagnostics: tuple[RuffDiagnostic, ...]


class _RuffStep(Step):
    tools = ("ruff",)
    baselinable = True
    distribution = "ruff"
    config_files = ("/pyproject.toml", "ruff.toml", ".ruff.toml")
    subcommand: ClassVar[str]
    default_message: ClassVar[str]

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        return ctx.settings.paths or (".",)

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(self.searched(ctx), PYTHON_FILES)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            sys.executable,
            "-m",
            "qualitykit.adapters.ruff_json",
            self.subcommand,
            *ctx.settings.args,
            "--",
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode not in {0, 1}:
            raise unexpected_exit(run, "0 or 1")
        report = parse_json_as(RuffReport, run.stdout, f"{self.name} output")
        if not report.files:
            raise self.nothing_checked(ctx, "ruff")
        diagnostics = report.diagnostics
        if bool(diagnostics) != (run.returncode == 1):
            raise unexpected_exit(run, f"{int(bool(diagnostics))} with {len(diagnostics)} findings")
        findings = [
            Finding(
                file=relative(entry.filename, ctx.root),
                line=entry.location.row if entry.location else None,
                col=entry.location.column if entry.location else None,
                code=entry.code,
                message=entry.message or self.default_message,
            )
            for entry in diagnostics
        ]
        return outcome_from_findings(findings, files=len(report.files))


class RuffFormat(_RuffStep):
    """``ruff format --check``: files the formatter would change (it never rewrites them)."""

    name = "ruff-format"
    description = "ruff format --check (never rewrites files)"
    subcommand = "format"
    default_message = "would be reformatted (run: ruff format)"
    # Its one finding per file sits at the first line the formatter would change: a
    # baseline knows it by the file, not by that line.
    baseline_by_line = False


class RuffLint(_RuffStep):
    """``ruff check --no-fix``: lint findings, never fixed in place."""

    name = "ruff-lint"
    description = "ruff check --no-fix"
    subcommand = "check"
    writing_args = ("--fix", "--fix-only", "--unsafe-fixes", "--add-noqa")
    default_message = "lint finding"

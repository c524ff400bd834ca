"""ruff format (check only, never rewrites) and ruff lint (``--no-fix``), both as JSON."""

from __future__ import annotations

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


class _RuffStep(Step):
    tools = ("ruff",)
    config_files = ("/pyproject.toml", "ruff.toml", ".ruff.toml")
    subcommand: ClassVar[tuple[str, ...]]
    default_message: ClassVar[str]

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(ctx.settings.paths or (".",), PYTHON_FILES)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            "ruff",
            *self.subcommand,
            "--output-format=json",
            "--force-exclude",
            # ruff's own cache does not notice a new module that changes how an import is
            # classified (first- or third-party): a stale pass. qualitykit's cache keys on
            # every input file instead, so ruff always runs from scratch here.
            "--no-cache",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode not in {0, 1}:
            raise unexpected_exit(run, "0 or 1")
        diagnostics = parse_json_as(list[RuffDiagnostic], run.stdout, f"{self.name} output")
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
        return outcome_from_findings(findings, files=len(self.targets(ctx)))


class RuffFormat(_RuffStep):
    """``ruff format --check``: files the formatter would change (it never rewrites them)."""

    name = "ruff-format"
    description = "ruff format --check (never rewrites files)"
    subcommand = ("format", "--check")
    default_message = "would be reformatted (run: ruff format)"


class RuffLint(_RuffStep):
    """``ruff check --no-fix``: lint findings, never fixed in place."""

    name = "ruff-lint"
    description = "ruff check --no-fix"
    subcommand = ("check", "--no-fix")
    default_message = "lint finding"

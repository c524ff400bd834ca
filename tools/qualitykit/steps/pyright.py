"""pyright with ``--outputjson``: diagnostics and the number of files it analysed."""

from __future__ import annotations

from typing_extensions import override

from qualitykit.results import Counts, Finding, Severity, Status
from qualitykit.steps.base import (
    LOCK_ALL,
    PYTHON_FILES,
    Completed,
    Outcome,
    Step,
    StepContext,
    ToolModel,
    parse_json_as,
    unexpected_exit,
)
from qualitykit.steps.ruff import relative


class PyrightPosition(ToolModel):
    """0-based position in pyright's JSON."""

    line: int
    character: int


class PyrightRange(ToolModel):
    """Start and end of a diagnostic."""

    start: PyrightPosition


class PyrightDiagnostic(ToolModel):
    """One entry of ``generalDiagnostics``."""

    file: str | None = None
    severity: str
    message: str
    range: PyrightRange | None = None
    rule: str | None = None


class PyrightSummary(ToolModel):
    """pyright's own counts."""

    filesAnalyzed: int  # noqa: N815 - pyright's field name
    errorCount: int  # noqa: N815
    warningCount: int  # noqa: N815


class PyrightReport(ToolModel):
    """The whole ``--outputjson`` document."""

    generalDiagnostics: tuple[PyrightDiagnostic, ...]  # noqa: N815
    summary: PyrightSummary


_SEVERITY = {"error": Severity.ERROR, "warning": Severity.WARNING}


class Pyright(Step):
    """pyright over the configured source paths (strictness from ``[tool.pyright]``)."""

    name = "pyright"
    baselinable = True
    distribution = "pyright"
    description = "pyright --outputjson"
    tools = (LOCK_ALL,)
    config_files = ("/pyproject.toml", "/pyrightconfig.json", "/uv.lock")

    # It writes type stubs into the project (typings/).
    writing_args = ("--createstub",)

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        return ctx.settings.paths or ctx.workspace.config.source

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(self.searched(ctx), PYTHON_FILES)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            "pyright",
            "--outputjson",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode not in {0, 1}:
            raise unexpected_exit(run, "0 or 1")
        report = parse_json_as(PyrightReport, run.stdout, "pyright output")
        if report.summary.filesAnalyzed == 0:
            raise self.nothing_checked(ctx, "pyright")
        if (report.summary.errorCount > 0) != (run.returncode == 1):
            raise unexpected_exit(run, f"1 only with errors ({report.summary.errorCount})")
        findings = tuple(
            Finding(
                file=relative(entry.file, ctx.root) if entry.file else None,
                line=entry.range.start.line + 1 if entry.range else None,
                col=entry.range.start.character + 1 if entry.range else None,
                code=entry.rule,
                message=entry.message,
                severity=_SEVERITY.get(entry.severity, Severity.NOTE),
            )
            for entry in report.generalDiagnostics
        )
        errors = sum(finding.severity is Severity.ERROR for finding in findings)
        counts = Counts(files=report.summary.filesAnalyzed, findings=errors)
        return Outcome(
            status=Status.FAIL if errors else Status.PASS,
            summary=counts.describe(),
            findings=findings,
            counts=counts,
        )

"""mypy, strict, one JSON object per diagnostic line (``-O json``)."""

from __future__ import annotations

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


class MypyDiagnostic(ToolModel):
    """One line of ``mypy -O json``."""

    file: str
    line: int
    column: int
    message: str
    hint: str | None = None
    code: str | None = None
    severity: str


class Mypy(Step):
    """Strict mypy over the configured source paths."""

    name = "mypy"
    description = "mypy --strict"
    tools = (LOCK_ALL,)
    config_files = ("/pyproject.toml", "/mypy.ini", "/.mypy.ini", "/setup.cfg", "/uv.lock")
    env_vars = ("MYPYPATH",)

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(ctx.settings.paths or ctx.workspace.config.source, PYTHON_FILES)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            "mypy",
            "--strict",
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
        for line in run.stdout.splitlines():
            if not line.strip():
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
        errors = [finding for finding in findings if finding.severity is Severity.ERROR]
        # With -O json mypy exits 1 on notes alone (it counts notes by looking for ": note:"
        # in its text format), so notes without errors allow either exit code.
        allowed = {1} if errors else {0, 1} if findings else {0}
        if run.returncode not in allowed:
            detail = run.stderr.strip()[:200]
            msg = f"mypy exited {run.returncode} with {len(errors)} errors: {detail}"
            raise ToolOutputError(msg)
        return outcome_from_findings(errors, files=len(self.targets(ctx)))

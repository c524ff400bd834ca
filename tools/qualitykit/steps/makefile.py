"""Makefile check: mbake's formatter in check mode and GNU make's parser, through an adapter."""

from __future__ import annotations

import sys

from typing_extensions import override

from qualitykit.results import Finding
from qualitykit.steps.base import (
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

MAKEFILES = ("Makefile", "GNUmakefile", "makefile", "*.mk")


class MakefileFinding(ToolModel):
    """One finding from the adapter."""

    file: str
    line: int | None
    code: str
    message: str


class MakefileReport(ToolModel):
    """The adapter's document: the files it checked and its findings."""

    files: tuple[str, ...]
    findings: tuple[MakefileFinding, ...]


class Makefile(Step):
    """``make`` parses every Makefile and mbake would not reformat it."""

    name = "makefile"
    baselinable = True
    distribution = "mbake"
    description = "Makefile: mbake format check + make parse"
    tools = ("mbake",)
    config_files = ("/.bake.toml",)

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        return ctx.settings.paths or (".",)

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(self.searched(ctx), MAKEFILES)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            sys.executable,
            "-m",
            "qualitykit.adapters.makefile_json",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode != 0:
            raise unexpected_exit(run, "0")
        report = parse_json_as(MakefileReport, run.stdout, "makefile check output")
        if not report.files:
            raise self.nothing_checked(ctx, "the makefile check")
        findings = [
            Finding(
                file=relative(entry.file, ctx.root),
                line=entry.line,
                code=entry.code,
                message=entry.message,
            )
            for entry in report.findings
        ]
        return outcome_from_findings(findings, files=len(report.files))

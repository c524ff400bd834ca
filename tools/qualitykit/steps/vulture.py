"""vulture (dead code) through its API, as JSON; the whitelist file is one of its inputs."""

from __future__ import annotations

import sys

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
from qualitykit.steps.ruff import relative

WHITELIST = "vulture_whitelist.py"


class VultureItem(ToolModel):
    """One unused-code item from the adapter."""

    file: str
    line: int
    name: str
    type: str
    message: str
    confidence: int


class VultureReport(ToolModel):
    """The adapter's document: the modules vulture scanned and what it found unused."""

    files: tuple[str, ...]
    items: tuple[VultureItem, ...]


class Vulture(Step):
    """Dead code in the configured source paths, minus what the whitelist file names."""

    name = "vulture"
    baselinable = True
    distribution = "vulture"
    description = "vulture (dead code), with vulture_whitelist.py"
    tools = ("vulture",)

    @override
    def searched(self, ctx: StepContext) -> tuple[str, ...]:
        if ctx.settings.paths:
            return ctx.settings.paths
        whitelist = (WHITELIST,) if (ctx.root / WHITELIST).is_file() else ()
        return ctx.workspace.config.source + whitelist

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return ctx.files_under(self.searched(ctx), PYTHON_FILES)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return [
            sys.executable,
            "-m",
            "qualitykit.adapters.vulture_json",
            *ctx.settings.args,
            *self.targets(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode != 0:
            raise unexpected_exit(run, "0")
        report = parse_json_as(VultureReport, run.stdout, "vulture output")
        if not report.files:
            raise self.nothing_checked(ctx, "vulture")
        findings = [
            Finding(
                file=relative(item.file, ctx.root),
                line=item.line,
                code=f"unused-{item.type}",
                message=f"{item.message} ({item.confidence}% confidence)",
            )
            for item in report.items
        ]
        return outcome_from_findings(findings, files=len(report.files))

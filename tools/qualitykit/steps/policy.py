"""Repository policies (``qualitykit.policy``), run through its JSON adapter."""

from __future__ import annotations

import sys

from typing_extensions import override

from qualitykit.errors import ToolOutputError
from qualitykit.policy.findings import PolicyReport
from qualitykit.results import Finding
from qualitykit.steps.base import (
    Completed,
    Outcome,
    Step,
    StepContext,
    outcome_from_findings,
    parse_json_as,
    unexpected_exit,
)


class Policy(Step):
    """Every enabled policy rule over the whole project; with a configured base, against it."""

    name = "policy"
    distribution = "qualitykit"
    description = "repository policies (gate integrity self-audit, …)"

    def __init__(self, base: str | None) -> None:
        """The step; ``base`` is ``[tool.qualitykit.policy] base`` (a moving ref)."""
        self.base = base

    @property
    @override
    def cacheable(self) -> bool:
        # What a ref points at is no file content: a result against a base is never reused.
        return self.base is None

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        return list(ctx.workspace.files)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        base = ["--base", self.base] if self.base else []
        return [sys.executable, "-m", "qualitykit.policy", *base, *ctx.settings.args]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode != 0:
            raise unexpected_exit(run, "0")
        report = parse_json_as(PolicyReport, run.stdout, "policy output")
        if report.files == 0:
            raise ToolOutputError("the policy checked 0 files")
        findings = [
            Finding(
                file=item.file,
                line=item.line,
                code=item.rule,
                message=f"{item.message} (fix: {item.fix})",
                fingerprint=item.fingerprint,
            )
            for item in report.findings
        ]
        return outcome_from_findings(findings, files=report.files)

"""Repository policies (``qualitykit.policy``), run through its JSON adapter."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Self, cast

import msgspec
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
    unexpected_exit,
)

if TYPE_CHECKING:
    from qualitykit.config import Config


def holds_date(value: object) -> bool:
    """Whether policy options hold a date (an expiry): the verdict then depends on the day."""
    if isinstance(value, dt.date):
        return True
    if isinstance(value, dict):
        return any(holds_date(item) for item in cast("dict[str, object]", value).values())
    if isinstance(value, list):
        return any(holds_date(item) for item in cast("list[object]", value))
    return False


class Policy(Step):
    """Every enabled policy rule over the whole project; with a configured base, against it."""

    name = "policy"
    baselinable = True
    distribution = "qualitykit"
    description = "repository policies (gate integrity self-audit, …)"

    def __init__(self, base: str | None, *, dated: bool = False) -> None:
        """The step; ``base`` is ``[tool.qualitykit.policy] base`` (a moving ref).

        ``dated``: a rule's options hold a date (an allowlist entry's expiry).
        """
        self.base = base
        self.dated = dated

    @classmethod
    @override
    def from_config(cls, config: Config) -> Self:
        return cls(config.policy.base, dated=holds_date(config.policy.rules))

    @property
    @override
    def cacheable(self) -> bool:
        # What a ref points at is no file content: a result against a base is never reused.
        # Nor one that depends on the day: an allowlist entry expires with no file changed.
        return self.base is None and not self.dated

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
        try:
            report = PolicyReport.from_json(run.stdout)
        except (msgspec.ValidationError, msgspec.DecodeError) as error:
            snippet = run.stdout.strip().splitlines()[0][:120] if run.stdout.strip() else "(empty)"
            raise ToolOutputError(f"policy output does not parse ({error}): {snippet}") from None
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
        # What a rule could not judge (a CI version computed at run time) is said, not passed over.
        return replace(outcome_from_findings(findings, files=report.files), notes=report.notes)

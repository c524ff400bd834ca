"""The badge step: the committed coverage badge must show what the suite measures now."""

from __future__ import annotations

from pathlib import Path

from typing_extensions import override

from qualitykit.coverage import badge
from qualitykit.coverage.measure import read_report, resolve_core
from qualitykit.errors import QualityKitError, ToolOutputError
from qualitykit.results import Counts, Finding, Status
from qualitykit.steps.base import Completed, Outcome, Step, StepContext
from qualitykit.steps.coverage import report_paths

FIX = "make badge"


class Badge(Step):
    """coverage-badge renders the measured figure; it must match the committed badge."""

    name = "badge"
    distribution = "coverage-badge"
    description = "the committed coverage badge matches the measured coverage"
    tools = ("coverage-badge", "coverage")
    needs = ("coverage",)

    def _badge(self, ctx: StepContext) -> Path:
        return ctx.root / ctx.workspace.config.coverage.badge

    def _rendered(self, ctx: StepContext) -> Path:
        return ctx.state_path("coverage", "badge.svg")

    @override
    def targets(self, ctx: StepContext) -> list[str]:
        # The committed badge may be missing (that is a failure with a fix, not 0 files).
        return [ctx.workspace.config.coverage.badge]

    @override
    def inputs(self, ctx: StepContext) -> list[str]:
        settings = ctx.workspace.config.coverage
        record = badge.record_path(Path(settings.badge)).as_posix()
        return ctx.workspace.select((f"/{settings.badge}", f"/{record}"))

    @override
    def environment(self, ctx: StepContext) -> dict[str, str]:
        rcfile, data_file, _, _ = report_paths(ctx)
        return badge.badge_environment(rcfile, data_file)

    @override
    def prepare(self, ctx: StepContext) -> None:
        self._rendered(ctx).unlink(missing_ok=True)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        return ["coverage-badge", "-o", str(self._rendered(ctx)), "-f", "-q"]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode != 0:
            raise ToolOutputError(f"coverage-badge exited {run.returncode}: {run.stderr[-300:]}")
        settings = ctx.workspace.config.coverage
        try:
            rendered = self._rendered(ctx).read_bytes()
        except FileNotFoundError:
            raise ToolOutputError("coverage-badge wrote no badge") from None
        measured = badge.badge_figure(rendered, "the badge rendered now")
        committed_path = self._badge(ctx)
        counts = Counts(files=1)
        if committed_path.is_dir():
            # Not "no committed badge": the fix is to move the directory, not to run `make badge`.
            raise QualityKitError(f"{committed_path}: is a directory, not a file")
        if not committed_path.is_file():
            message = f"no committed badge: run `{FIX}` and commit {settings.badge}"
            finding = Finding(file=settings.badge, code="badge-missing", message=message)
            return Outcome(
                Status.FAIL, message, (finding,), counts.model_copy(update={"findings": 1})
            )
        committed_bytes = committed_path.read_bytes()
        committed = badge.badge_figure(committed_bytes, settings.badge)
        tolerance = settings.badge_tolerance
        if committed_bytes == rendered:
            return Outcome(Status.PASS, f"fresh: {committed:g}%", counts=counts)
        if abs(committed - measured) <= tolerance:
            note = (
                f"{settings.badge} shows {committed:g}%, measured {measured:g}%: within the "
                f"configured badge-tolerance of {tolerance:g} point"
            )
            return Outcome(
                Status.PASS, f"{committed:g}% (within {tolerance:g})", counts=counts, notes=(note,)
            )
        _, _, json_path, _ = report_paths(ctx)
        try:
            result = read_report(json_path, settings, resolve_core(settings.core))
            moved = badge.moved_files(result, badge.load_record(committed_path))
        except QualityKitError as error:
            moved = [f"(cannot compare per file: {error})"]
        message = (
            f"{settings.badge} is stale: it shows {committed:g}%, the suite measures "
            f"{measured:g}% (tolerance {tolerance:g}); fix: `{FIX}` and commit the badge"
        )
        findings = [Finding(file=settings.badge, code="badge-stale", message=message)]
        findings += [
            Finding(file=line.split(":", 1)[0], code="coverage-moved", message=line)
            for line in moved
        ]
        return Outcome(
            Status.FAIL,
            f"stale: shows {committed:g}%, measured {measured:g}%",
            tuple(findings),
            counts.model_copy(update={"findings": 1}),
        )

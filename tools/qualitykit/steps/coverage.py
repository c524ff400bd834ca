"""The coverage step: the suite under coverage.py, judged as a test run, then by thresholds.

Branch coverage, subprocesses measured, parallel data combined; then the floors and the ratchet.

Coverage of a red or empty suite is never a pass: the JUnit checks of the pytest step apply
before any figure is looked at. Reports land in ``.qualitykit/coverage/`` (JSON, Cobertura XML).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar, Self

from typing_extensions import override

from qualitykit.config_table import PYPROJECT
from qualitykit.coverage import freshness, measure, ratchet
from qualitykit.errors import ConfigError, ToolOutputError
from qualitykit.incremental import step as incremental
from qualitykit.results import Counts, Finding, Status
from qualitykit.steps.base import Completed, Outcome, StepContext, ToolModel, parse_json_as
from qualitykit.steps.pytest import PytestSuite

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.config import Config
    from qualitykit.incremental.store import Plan
    from qualitykit.results import CoverageResult


class _AdapterReport(ToolModel):
    pytest_exit: int
    error: str | None
    # True: an incremental run in which no test could be affected; the stored data was judged.
    reused: bool = False
    total: int | None = None  # the tests an incremental run collected (ran or not)


def coverage_dir(ctx: StepContext) -> Path:
    """Where the coverage data, the rcfile and the reports live."""
    return ctx.state_path("coverage")


def report_paths(ctx: StepContext) -> tuple[Path, Path, Path, Path]:
    """rcfile, data file, JSON report, XML report."""
    base = coverage_dir(ctx)
    return base / "coveragerc", base / ".coverage", base / "coverage.json", base / "coverage.xml"


def sources_record(ctx: StepContext) -> Path:
    """Where the digests of what the last measurement read are recorded (beside the XML)."""
    return coverage_dir(ctx) / "sources.json"


def threshold_findings(result: CoverageResult) -> list[Finding]:
    """A finding for the total below the global floor and for each group below its own."""
    findings: list[Finding] = []
    findings.extend(
        Finding(
            code="group-floor",
            message=f"group {group.name!r} ({group.files} files) is at "
            f"{group.figures.percent:.2f}%, below its floor {group.floor:g}%",
        )
        for group in result.groups
        if group.floor is not None and group.figures.percent < group.floor
    )
    if result.floor is not None and result.total.percent < result.floor:
        findings.append(
            Finding(
                code="coverage-floor",
                message=f"total coverage {result.total.percent:.2f}% is below the floor "
                f"{result.floor:g}%",
            )
        )
    return findings


def check_groups(ctx: StepContext) -> None:
    """Exit 2 (before any test runs) when a group's ``include`` matches no project file.

    An empty group sums 0/0 statements, which reads as 100 %: it would pass any floor while
    guarding nothing, so it is a configuration error, not a figure.
    """
    for name, group in ctx.workspace.config.coverage.groups.items():
        if not ctx.workspace.select(group.include):
            patterns = ", ".join(group.include)
            raise ConfigError(
                f"{ctx.root / PYPROJECT}: [tool.qualitykit.coverage.groups.{name}] include: "
                f"no project file matches {patterns}"
            )


def empty_group_error(result: CoverageResult) -> ToolOutputError | None:
    """The error for a group none of whose files coverage measured (0/0 is not 100 %)."""
    for group in result.groups:
        if group.files == 0:
            return ToolOutputError(
                f"coverage group {group.name!r} has no measured file: coverage measured none "
                "of the project files its include matches (outside [tool.coverage.run] source, "
                "or claimed by an earlier group)"
            )
    return None


def _what_ran(plan: Plan | None, ran: int | None, total: int | None) -> str:
    """What ran, and why: ``12 of 274 tests: they execute x.py`` or ``274 tests; full run: …``."""
    if plan is None or plan.mode == "full":
        said = f"{ran} tests"
        return f"{said}; {plan.reason}" if plan is not None else said
    return f"{ran or 0} of {total} tests: {plan.reason}"


class Coverage(PytestSuite):
    """The test suite under coverage, with floors per group and a two-way ratchet."""

    config_files: ClassVar[tuple[str, ...]] = (*PytestSuite.config_files, "/.coveragerc")
    distribution = "coverage"

    def __init__(self, default_paths: tuple[str, ...]) -> None:
        """The ``coverage`` step over ``default_paths`` (``[tool.qualitykit.coverage] tests``)."""
        super().__init__(
            "coverage", "pytest under coverage.py (branch), floors, ratchet", default_paths
        )

    @classmethod
    @override
    def from_config(cls, config: Config) -> Self:
        return cls(config.coverage.tests)

    def measured_inputs(self, ctx: StepContext) -> list[str]:
        """The files the measurement depends on (the inputs less the ratchet's baseline)."""
        return super().inputs(ctx)

    @override
    def inputs(self, ctx: StepContext) -> list[str]:
        baseline = ctx.workspace.config.coverage.baseline
        return sorted(set(self.measured_inputs(ctx)) | set(ctx.workspace.select((f"/{baseline}",))))

    @override
    def prepare(self, ctx: StepContext) -> None:
        super().prepare(ctx)
        rcfile, data_file, json_path, xml_path = report_paths(ctx)
        for stale in (json_path, xml_path, data_file, sources_record(ctx)):
            stale.unlink(missing_ok=True)
        on = incremental.enabled(ctx)
        incremental.plan_file(ctx).unlink(missing_ok=True)
        measure.write_rcfile(
            ctx.root, rcfile, data_file, ctx.workspace.config.coverage, contexts=on
        )
        if on:
            incremental.write_plan(self, ctx, self.measured_inputs(ctx), rcfile)

    @override
    def outputs_present(self, ctx: StepContext) -> bool:
        paths = (*report_paths(ctx), sources_record(ctx))
        return all(path.is_file() for path in paths)

    @override
    def command(self, ctx: StepContext) -> list[str]:
        # Called when the run is planned, before any step starts: a bad group stops it all.
        check_groups(ctx)
        rcfile, _, json_path, xml_path = report_paths(ctx)
        return [
            sys.executable,
            "-m",
            "qualitykit.adapters.coverage_run",
            f"--rcfile={rcfile}",
            f"--json={json_path}",
            f"--xml={xml_path}",
            *([f"--incremental={incremental.plan_file(ctx)}"] if incremental.enabled(ctx) else []),
            "--",
            *self.pytest_args(ctx),
        ]

    @override
    def parse(self, run: Completed, ctx: StepContext) -> Outcome:
        if run.returncode != 0:
            raise ToolOutputError(
                f"the coverage runner exited {run.returncode}: {run.stderr[-300:]}"
            )
        adapter = parse_json_as(_AdapterReport, run.stdout, "coverage runner output")
        plan = incremental.read_plan(ctx) if incremental.enabled(ctx) else None
        if incremental.enabled(ctx) and plan is None:
            raise ToolOutputError("the incremental plan of this run is missing")
        suite = (
            Outcome(status=Status.PASS, counts=Counts(files=len(self.targets(ctx))))
            if adapter.reused
            else super().parse(replace(run, returncode=adapter.pytest_exit), ctx)
        )
        ran = _what_ran(plan, suite.counts.tests, adapter.total)
        if suite.status is not Status.PASS:
            shown = f" ({ran})" if plan is not None else ""
            summary = f"{suite.summary}{shown}: tests failed, coverage not judged"
            return replace(suite, summary=summary)
        if adapter.error is not None:
            raise ToolOutputError(f"no coverage data: {adapter.error}")
        settings = ctx.workspace.config.coverage
        _, _, json_path, xml_path = report_paths(ctx)
        # The digests were taken when the run was planned, before the suite started: the
        # content that was measured, whatever happened to the files since.
        digests = {name: ctx.workspace.digest(name) for name in self.measured_inputs(ctx)}
        try:
            freshness.write_record(sources_record(ctx), xml_path, digests)
        except FileNotFoundError:
            raise ToolOutputError(f"the coverage runner wrote no {xml_path.name}") from None
        result = measure.read_report(json_path, settings, measure.resolve_core(settings.core))
        empty = empty_group_error(result)
        if empty is not None:
            raise empty
        findings = threshold_findings(result)
        notes: list[str] = []
        if settings.ratchet:
            baseline = ratchet.load_baseline(ctx.root / settings.baseline)
            if baseline is None:
                findings.append(
                    Finding(
                        file=settings.baseline,
                        code="ratchet-missing",
                        message="no coverage baseline: create it with "
                        f"`{ratchet.UPDATE_COMMAND}` and commit it",
                    )
                )
            else:
                result = result.model_copy(update={"baseline_total": baseline.total})
                drops, notes = ratchet.compare(
                    result, baseline, settings.tolerance, settings.baseline
                )
                findings.extend(drops)
        failing = [finding for finding in findings if finding.code != "ratchet-file"]
        summary = f"{result.total.percent:.2f}% ({ran})"
        return Outcome(
            status=Status.FAIL if failing else Status.PASS,
            summary=summary,
            findings=tuple(findings),
            counts=suite.counts.model_copy(update={"findings": len(failing)}),
            notes=tuple(notes),
            coverage=result,
        )

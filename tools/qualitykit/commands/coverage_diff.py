"""``qualitykit coverage diff --base REF``: coverage of the lines a branch changed.

Never judges changed lines with data from before the change: the coverage step's own report
is used only while the digests recorded with it match the sources; otherwise the step runs
first (reused from the cache when nothing it reads changed). An external ``--coverage-xml``
cannot be checked that way: the output says so, and a changed file newer than it is refused.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from qualitykit.changes import changed_lines
from qualitykit.console import make_console
from qualitykit.coverage import freshness
from qualitykit.coverage.diff import compact, diff_coverage
from qualitykit.errors import QualityKitError
from qualitykit.runner import run_steps
from qualitykit.steps import builtin_steps
from qualitykit.steps.base import StepContext
from qualitykit.steps.coverage import Coverage, report_paths, sources_record
from qualitykit.summary import status_line
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from qualitykit.coverage.diff import DiffCoverageResult


def parse_percent(text: str, option: str) -> float:
    """``text`` as a percentage 0-100; exit 2 naming ``option`` otherwise (nan, inf, 150, -5)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 100:  # also false for nan
        raise QualityKitError(f"{option} {text}: not a percentage between 0 and 100")
    return value


def staleness(workspace: Workspace) -> tuple[str | None, Path]:
    """Why the coverage step's XML does not describe the sources now (None: it does)."""
    step = builtin_steps(workspace.config)["coverage"]
    assert isinstance(step, Coverage)  # noqa: S101 - the registry's coverage step
    ctx = StepContext(workspace, step.name, workspace.config.settings(step.name))
    current = {name: workspace.digest(name) for name in step.measured_inputs(ctx)}
    xml_path = report_paths(ctx)[3]
    return freshness.stale_reason(sources_record(ctx), xml_path, current), xml_path


def _fresh_report(root: Path, console: Console) -> Path | None:
    """The coverage step's XML, measured again first when stale; None when it cannot be."""
    workspace = Workspace.load(root)
    reason, xml_path = staleness(workspace)
    if reason is None:
        return xml_path
    console.print(f"measuring coverage first: {escape(reason)}")
    gate = run_steps(
        workspace,
        [builtin_steps(workspace.config)["coverage"]],
        on_result=lambda result: status_line(console, result),
    )
    result = gate.step("coverage")
    if result.coverage is None:
        console.print(f"diff coverage not judged: the suite did not measure ({result.summary})")
        return None
    reason, xml_path = staleness(Workspace.load(root))
    if reason is not None:
        raise QualityKitError(f"sources changed while they were measured ({reason}): run again")
    return xml_path


def run(root: Path, *, base: str, xml: Path | None, fail_under: str | None, as_json: bool) -> int:
    """Report diff coverage; exit 1 below the threshold (flag, else the config's)."""
    flag = None if fail_under is None else parse_percent(fail_under, "--fail-under")
    workspace = Workspace.load(root)
    threshold = flag if flag is not None else workspace.config.coverage.diff_fail_under
    console = make_console()
    changed = changed_lines(workspace.root, base)
    if xml is None:
        report = _fresh_report(workspace.root, console)
        if report is None:
            return 1
    else:
        report = xml  # as the user wrote it: relative to the current directory
        freshness.refuse_newer_sources(workspace.root, report, changed)
    result = diff_coverage(workspace.root, base, report, threshold, changed=changed)
    if xml is not None:
        result = result.model_copy(update={"freshness_checked": False})
    if not result.freshness_checked:
        console.print(
            f"note: {escape(str(xml))} is an external report: qualitykit cannot check that it "
            "measured these sources (only that no changed file is newer than it)"
        )
    _print(console, result, base, threshold)
    if as_json:
        print(result.model_dump_json(indent=2))
    return 0 if result.passed else 1


def _print(
    console: Console, result: DiffCoverageResult, base: str, threshold: float | None
) -> None:
    table = Table(title=f"diff coverage against {base}", title_justify="left")
    for column in ("file", "changed lines", "covered", "%", "missed lines"):
        table.add_column(column, justify="left" if column in {"file", "missed lines"} else "right")
    for entry in result.files:
        percent = "" if entry.percent is None else f"{entry.percent:.2f}"
        table.add_row(
            escape(entry.path),
            str(entry.measured),
            str(entry.covered),
            percent,
            compact(entry.missed_lines),
        )
    console.print(table)
    total = "no measurable changed line" if result.percent is None else f"{result.percent:.2f}%"
    verdict = "" if threshold is None else f" (fail under {threshold:g}%)"
    console.print(f"diff coverage: {total}, {result.covered}/{result.measured} lines{verdict}")

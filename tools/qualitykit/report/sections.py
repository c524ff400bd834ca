"""The page's sections as plain values for the template, and what the page's script renders.

The first rows are in the HTML; the rest only in the embedded JSON (once), drawn on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.coverage.diff import compact
from qualitykit.report.svg import bar_chart, sparkline
from qualitykit.summary import COVERAGE_COLUMNS, coverage_rows, describe

if TYPE_CHECKING:
    from markupsafe import Markup

    from qualitykit.mutation.results import MutantResult, MutationResult
    from qualitykit.report.collect import Inputs
    from qualitykit.report.forge import Forge
    from qualitykit.report.history import HistoryEntry
    from qualitykit.results import CoverageResult, GateResult

# Rows rendered in the HTML; the rest are in the embedded JSON for "show more" (a page with
# 10,000 findings stays small and loads fast: docs/report.md).
SHOWN_FINDINGS = 300
SHOWN_SURVIVORS = 40
_TRACEBACK_CHARS = 4000
_NO_FILE = "(no file)"


@dataclass(frozen=True)
class Row:
    """One finding, as the page shows it."""

    file: str
    line: int | None
    step: str
    code: str
    severity: str
    message: str
    link: str | None
    new: bool

    def compact(self) -> list[object]:
        """The row as the embedded JSON holds it: a list, no link (the script builds it)."""
        return [
            self.file,
            self.line,
            self.step,
            self.code,
            self.severity,
            self.message,
            int(self.new),
        ]


@dataclass(frozen=True)
class FileGroup:
    """The shown findings of one file, and how many it has in all."""

    path: str
    rows: tuple[Row, ...]
    total: int
    new: int


def _link(forge: Forge | None, path: str | None, line: int | None) -> str | None:
    return None if forge is None or path is None else forge.blob(path, line)


def finding_rows(inputs: Inputs) -> list[Row]:
    """Every finding of the gate, by file, line, step."""
    if inputs.gate is None:
        return []
    changed = inputs.changed or {}
    rows = [
        Row(
            file=finding.file or _NO_FILE,
            line=finding.line,
            step=step.step,
            code=finding.code or "",
            severity=finding.severity.value,
            message=finding.message,
            link=_link(inputs.forge, finding.file, finding.line),
            new=finding.file is not None
            and finding.line is not None
            and finding.line in changed.get(finding.file, frozenset()),
        )
        for step in inputs.gate.steps
        for finding in step.findings
    ]
    rows.sort(
        key=lambda row: (
            row.file == _NO_FILE,
            row.file,
            row.line or 0,
            row.step,
            row.code,
            row.message,
        )
    )
    return rows


def group_rows(rows: list[Row]) -> tuple[list[FileGroup], list[Row]]:
    """The first :data:`SHOWN_FINDINGS` rows grouped by file, and the rows left for the script."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        counts = totals.setdefault(row.file, [0, 0])
        counts[0] += 1
        counts[1] += row.new
    groups: list[FileGroup] = []
    shown = rows[:SHOWN_FINDINGS]
    start = 0
    while start < len(shown):
        path = shown[start].file
        end = start
        while end < len(shown) and shown[end].file == path:
            end += 1
        total, new = totals[path]
        groups.append(FileGroup(path, tuple(shown[start:end]), total, new))
        start = end
    return groups, rows[SHOWN_FINDINGS:]


@dataclass(frozen=True)
class StepRow:
    """One gate step in the steps table."""

    step: str
    status: str
    result: str
    seconds: str
    notes: tuple[str, ...]


def step_rows(gate: GateResult) -> list[StepRow]:
    """The steps table, in the gate's order."""
    return [
        StepRow(s.step, s.status.value, describe(s), f"{s.duration_s:.2f}", s.notes)
        for s in gate.steps
    ]


def duration_chart(gate: GateResult) -> Markup:
    """Where the gate's time goes: one bar per step."""
    rows = [(step.step, step.duration_s) for step in gate.steps]
    return bar_chart(rows, "seconds per step")


def coverage_table(coverage: CoverageResult) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """The columns and rows of the per-group table (as the terminal summary shows it)."""
    return COVERAGE_COLUMNS, coverage_rows(coverage)


def weakest_files(coverage: CoverageResult) -> list[tuple[str, str, str]]:
    """Every measured file, least covered first: path, percent, missing lines + branches."""
    ordered = sorted(coverage.files.items(), key=lambda item: (item[1].percent, item[0]))
    return [
        (path, f"{figures.percent:.2f}", str(figures.missing_lines + figures.missing_branches))
        for path, figures in ordered
    ]


def diff_rows(inputs: Inputs) -> list[tuple[str, str, str, str | None]]:
    """Changed files with uncovered lines: path, percent, the lines, a link to the first."""
    if inputs.diff is None:
        return []
    return [
        (
            entry.path,
            f"{entry.percent or 0:.1f}",
            compact(entry.missed_lines),
            _link(inputs.forge, entry.path, entry.missed_lines[0]),
        )
        for entry in inputs.diff.files
        if entry.missed_lines
    ]


@dataclass(frozen=True)
class Survivor:
    """A surviving mutant: where, which operator, the diff, how many tests ran it."""

    module: str
    line: int
    operator: str
    tests: int
    diff: str
    link: str | None

    def compact(self) -> list[object]:
        """The survivor as the embedded JSON holds it (no link: the script builds it)."""
        return [self.module, self.line, self.operator, self.tests, self.diff]


def survivors(inputs: Inputs, result: MutationResult) -> list[Survivor]:
    """Every surviving mutant, by module and line."""

    def one(mutant: MutantResult) -> Survivor:
        return Survivor(
            mutant.module,
            mutant.line,
            mutant.operator,
            mutant.tests,
            mutant.diff,
            _link(inputs.forge, mutant.module, mutant.line),
        )

    return [one(mutant) for mutant in result.survivors]


@dataclass(frozen=True)
class ClusterView:
    """A triage cluster with its representative's traceback (capped) and the repro command."""

    title: str
    size: int
    where: str
    tests: tuple[str, ...]
    traceback: str
    repro: str


def clusters(inputs: Inputs) -> list[ClusterView]:
    """The latest bundle's clusters, largest first (as triage ordered them)."""
    if inputs.triage is None:
        return []
    views: list[ClusterView] = []
    for cluster in inputs.triage.clusters:
        text = cluster.representative
        if len(text) > _TRACEBACK_CHARS:
            text = text[:_TRACEBACK_CHARS] + "\n… (cut; the whole text is in failures.json)"
        where = f"{cluster.root}:{cluster.root_line}" if cluster.root else ""
        views.append(
            ClusterView(
                title=f"{cluster.exception_type}: {cluster.message}",
                size=cluster.size,
                where=where,
                tests=cluster.tests[:20],
                traceback=text,
                repro=cluster.repro,
            )
        )
    return views


@dataclass(frozen=True)
class Trend:
    """One sparkline of the trends section, with its latest value."""

    label: str
    chart: Markup
    latest: str


def _latest(values: list[float | None], unit: str) -> str:
    known = [value for value in values if value is not None]
    return f"{known[-1]:g}{unit}" if known else "none"


def trends(history: tuple[HistoryEntry, ...]) -> list[Trend]:
    """Gate time, coverage, mutation score and findings per step over the recorded runs."""
    series: list[tuple[str, list[float | None], str]] = [
        ("gate seconds", [entry.duration_s for entry in history], "s"),
        ("coverage %", [entry.coverage for entry in history], "%"),
        ("mutation score %", [entry.mutation_score for entry in history], "%"),
    ]
    steps = list(dict.fromkeys(step for entry in history for step in entry.findings))
    for step in steps:
        values: list[float | None] = [
            None if step not in entry.findings else float(entry.findings[step]) for entry in history
        ]
        series.append((f"{step} findings", values, ""))
    return [
        Trend(label, sparkline(values, label), _latest(values, unit))
        for label, values, unit in series
    ]

"""Everything the user reads about a gate run.

One status line per step, the summary table, the findings of failed steps,
``.qualitykit/summary.{json,md}``, the GitHub job summary and annotations.

Human output goes to stderr through rich (plain, without colour, when not a terminal or under
CI); machine output (``--json``) goes to stdout.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from qualitykit.atomic import write_text_atomic
from qualitykit.console import PLAIN_WIDTH
from qualitykit.results import (
    CoverageFigures,
    CoverageResult,
    Finding,
    GateResult,
    Status,
    StepResult,
)

_STYLE = {
    Status.PASS: "green",
    Status.FAIL: "red",
    Status.ERROR: "bold red",
    Status.SKIPPED: "yellow",
}
_FINDINGS_SHOWN = 10


def render_text(gate: GateResult) -> str:
    """Status lines, table and verdict as plain text (what a replayed no-op run prints)."""
    buffer = io.StringIO()
    console = Console(file=buffer, no_color=True, highlight=False, width=PLAIN_WIDTH)
    for result in gate.steps:
        status_line(console, result)
    render(console, gate)
    return buffer.getvalue()


def describe(result: StepResult) -> str:
    """The counts, or for an error the reason, of one result."""
    text = result.summary or result.counts.describe()
    return f"{text} (cached)" if result.cached else text


def status_line(console: Console, result: StepResult) -> None:
    """One line for a finished step: status, step, counts or reason, seconds."""
    style = _STYLE[result.status]
    console.print(
        f"[{style}]{result.status.value.upper():<7}[/{style}] {result.step:<14} "
        f"{escape(describe(result))}  [dim]{result.duration_s:.2f}s[/dim]"
    )


def _location(finding: Finding) -> str:
    parts = [finding.file or "", str(finding.line or ""), str(finding.col or "")]
    return ":".join(part for part in parts if part)


def _finding_text(finding: Finding) -> str:
    code = f"{finding.code} " if finding.code else ""
    where = _location(finding)
    return f"{where}: {code}{finding.message}" if where else f"{code}{finding.message}"


def render(console: Console, gate: GateResult) -> None:
    """The summary table, then the findings of each step that did not pass, then the verdict."""
    table = Table(title="qualitykit gate", title_justify="left")
    table.add_column("step")
    table.add_column("status")
    table.add_column("result")
    table.add_column("seconds", justify="right")
    for result in gate.steps:
        style = _STYLE[result.status]
        table.add_row(
            result.step,
            f"[{style}]{result.status.value}[/{style}]",
            escape(describe(result)),
            f"{result.duration_s:.2f}",
        )
    console.print(table)
    for result in gate.steps:
        for note in result.notes:
            console.print(f"[yellow]note[/yellow] {result.step}: {escape(note)}")
        if result.coverage is not None:
            console.print(_coverage_table(result.coverage))
    for result in gate.steps:
        if result.ok:
            continue
        console.print(f"[bold]{result.step}[/bold]: {escape(result.summary)}")
        for finding in result.findings[:_FINDINGS_SHOWN]:
            console.print(f"  {escape(_finding_text(finding))}")
        hidden = len(result.findings) - _FINDINGS_SHOWN
        if hidden > 0:
            console.print(f"  … and {hidden} more (qualitykit check {result.step} --json)")
        if result.log_path:
            console.print(f"  [dim]log: {result.log_path}[/dim]")
    if gate.ok:
        console.print(
            f"[green]gate passed[/green]: {len(gate.steps)} steps, {gate.duration_s:.2f}s"
        )
    else:
        console.print(f"[bold red]gate failed[/bold red]: {', '.join(gate.failed_steps)}")


def coverage_rows(coverage: CoverageResult) -> list[tuple[str, ...]]:
    """The breakdown: group, statements, branches, %, floor, headroom, next milestone."""

    def row(
        name: str, figures: CoverageFigures, floor: float | None, milestone: float | None
    ) -> tuple[str, ...]:
        headroom = "" if floor is None else f"{figures.percent - floor:+.2f}"
        return (
            name,
            str(figures.statements),
            str(figures.branches),
            f"{figures.percent:.2f}",
            "" if floor is None else f"{floor:g}",
            headroom,
            "" if milestone is None else f"{milestone:g}",
        )

    rows = [
        row(group.name, group.figures, group.floor, group.next_milestone)
        for group in coverage.groups
    ]
    rows.append(row("total", coverage.total, coverage.floor, None))
    return rows


COVERAGE_COLUMNS = ("group", "statements", "branches", "%", "floor", "headroom", "next milestone")


def _coverage_table(coverage: CoverageResult) -> Table:
    baseline = (
        "" if coverage.baseline_total is None else f", baseline {coverage.baseline_total:.2f}%"
    )
    table = Table(title=f"coverage ({coverage.core} core{baseline})", title_justify="left")
    for column in COVERAGE_COLUMNS:
        table.add_column(column, justify="left" if column == "group" else "right")
    for values in coverage_rows(coverage):
        table.add_row(*values)
    return table


def _one_line(text: str) -> str:
    # A line break would end a table row or a list item mid-text (tool output has blank lines).
    return " ".join(text.splitlines())


def markdown(gate: GateResult) -> str:
    """The summary as a GitHub-flavoured Markdown table (job summary, summary.md)."""
    verdict = "passed" if gate.ok else f"failed: {', '.join(gate.failed_steps)}"
    lines = [
        f"## qualitykit gate {verdict}",
        "",
        "| step | status | result | seconds |",
        "| --- | --- | --- | ---: |",
    ]
    for result in gate.steps:
        text = _one_line(describe(result)).replace("|", "\\|")
        lines.append(
            f"| {result.step} | {result.status.value} | {text} | {result.duration_s:.2f} |"
        )
    for result in gate.steps:
        if result.coverage is not None:
            lines += ["", "### coverage", ""]
            lines.append("| " + " | ".join(COVERAGE_COLUMNS) + " |")
            lines.append("| --- |" + " ---: |" * (len(COVERAGE_COLUMNS) - 1))
            lines += ["| " + " | ".join(values) + " |" for values in coverage_rows(result.coverage)]
        lines += [f"- note ({result.step}): {_one_line(note)}" for note in result.notes]
    for result in gate.steps:
        if result.ok or not result.findings:
            continue
        lines += ["", f"### {result.step}", ""]
        lines += [
            "- `" + _one_line(_finding_text(finding)).replace("`", "'") + "`"
            for finding in result.findings[:_FINDINGS_SHOWN]
        ]
    return "\n".join(lines) + "\n"


def _escape_annotation(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_annotation(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(gate: GateResult) -> list[str]:
    """GitHub Actions ``::error`` workflow commands for the findings of failed steps."""
    lines: list[str] = []
    for result in gate.steps:
        if result.ok:
            continue
        if not result.findings:
            title = _escape_property(f"qualitykit {result.step}")
            lines.append(f"::error title={title}::{_escape_annotation(result.summary)}")
        for finding in result.findings:
            props = [f"title={_escape_property(f'qualitykit {result.step}')}"]
            if finding.file:
                props.insert(0, f"file={_escape_property(finding.file)}")
                if finding.line:
                    props.insert(1, f"line={finding.line}")
                    if finding.col:
                        props.insert(2, f"col={finding.col}")
            message = f"{finding.code}: {finding.message}" if finding.code else finding.message
            level = "error" if finding.severity == "error" else "warning"
            lines.append(f"::{level} {','.join(props)}::{_escape_annotation(message)}")
    return lines


def publish(gate: GateResult, state_dir: Path) -> None:
    """Write summary.json and summary.md; feed GitHub's job summary and annotations."""
    write_text_atomic(state_dir / "summary.json", gate.model_dump_json(indent=2))
    text = markdown(gate)
    write_text_atomic(state_dir / "summary.md", text)
    job_summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if job_summary:
        with Path(job_summary).open("a", encoding="utf-8") as handle:
            handle.write(text)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(gate):
            print(line, flush=True)

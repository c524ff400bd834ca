"""Reports of a :class:`MutationResult`: Stryker JSON, Markdown, a self-contained HTML page, text.

The JSON follows the mutation-testing-report schema (Stryker's cross-language standard, read by
the ``mutation-testing-elements`` viewer and dashboard). The HTML page is rendered by rich
(``export_html`` with inline styles): one file, no script, no network.
"""

from __future__ import annotations

import io
import json
from importlib.metadata import version
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text
from typing_extensions import override

from qualitykit.atomic import write_text_atomic
from qualitykit.mutation.results import MutantResult, MutationResult, Outcome

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import RenderableType

STRYKER_STATUS = {
    Outcome.KILLED: "Killed",
    Outcome.SURVIVED: "Survived",
    Outcome.TIMEOUT: "Timeout",
    Outcome.INCOMPETENT: "CompileError",
    Outcome.NO_COVERAGE: "NoCoverage",
    Outcome.ERROR: "RuntimeError",
    Outcome.PENDING: "Pending",
}
_SURVIVOR_LIMIT = 200


def _score_text(result: MutationResult) -> str:
    return "n/a" if result.score is None else f"{result.score:.1f}%"


def verdict(result: MutationResult) -> str:
    """One line: the score and every outcome apart."""
    c = result.counts
    return (
        f"mutation score {_score_text(result)} = killed {c.killed} / (killed {c.killed} + "
        f"survived {c.survived}); apart: timeout {c.timeout}, incompetent {c.incompetent}, "
        f"no-coverage {c.no_coverage}, error {c.error}, pending {c.pending}; {c.total} mutants"
    )


def stryker(result: MutationResult, root: Path) -> dict[str, object]:
    """The mutation-testing-report-schema (version 2) document."""
    files: dict[str, dict[str, object]] = {}
    for module in sorted({mutant.module for mutant in result.mutants}):
        path = root / module
        source = path.read_text(encoding="utf-8") if path.is_file() else ""
        mutants = [_stryker_mutant(m) for m in result.mutants if m.module == module]
        files[module] = {"language": "python", "source": source, "mutants": mutants}
    return {
        "$schema": "https://git.io/mutation-testing-schema",
        "schemaVersion": "2",
        "thresholds": {"high": 80, "low": max(0, min(80, round(result.threshold)))},
        "projectRoot": str(root),
        "framework": {
            "name": "qualitykit (cosmic-ray operators)",
            "version": version("qualitykit"),
        },
        "files": files,
    }


def _stryker_mutant(mutant: MutantResult) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": mutant.id,
        "mutatorName": mutant.operator,
        "location": {
            "start": {"line": mutant.line, "column": mutant.column + 1},
            "end": {"line": mutant.end_line, "column": mutant.end_column + 1},
        },
        "status": STRYKER_STATUS[mutant.outcome],
        "static": False,
    }
    replacement = _replacement(mutant.diff)
    if replacement:
        entry["replacement"] = replacement
    if mutant.detail:
        entry["statusReason"] = mutant.detail
    if mutant.seconds is not None:
        entry["duration"] = round(mutant.seconds * 1000)
    if mutant.outcome in {Outcome.KILLED, Outcome.SURVIVED, Outcome.TIMEOUT}:
        entry["testsCompleted"] = mutant.tests
    return entry


def _replacement(diff: str) -> str:
    added = [
        line[1:].rstrip("\n")
        for line in diff.splitlines()
        if line.startswith("+") and not line.startswith("+++")
    ]
    return "\n".join(added).strip()


def markdown(result: MutationResult) -> str:
    """A Markdown report: the verdict, the counts, every survivor with its diff."""
    c = result.counts
    status = "passed" if result.ok else "failed"
    lines = [
        f"## Mutation testing: {status}",
        "",
        (
            f"**Score {_score_text(result)}** (killed / (killed + survived); threshold "
            f"{result.threshold:g}%)"
        ),
        "",
        "| killed | survived | timeout | incompetent | no-coverage | error | pending | total |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        (
            f"| {c.killed} | {c.survived} | {c.timeout} | {c.incompetent} | {c.no_coverage} "
            f"| {c.error} | {c.pending} | {c.total} |"
        ),
        "",
    ]
    lines += [f"- problem: {problem}" for problem in result.problems]
    lines += [f"- note: {note}" for note in result.notes]
    survivors = result.survivors
    if survivors:
        lines += ["", f"### Survivors ({len(survivors)})", ""]
        for mutant in survivors[:_SURVIVOR_LIMIT]:
            lines += [
                (
                    f"**{mutant.module}:{mutant.line}** `{mutant.operator}` "
                    f"(in `{mutant.definition or '<module>'}`)"
                ),
                "",
                "```diff",
                mutant.diff.rstrip("\n"),
                "```",
                "",
            ]
        if len(survivors) > _SURVIVOR_LIMIT:
            lines.append(f"... and {len(survivors) - _SURVIVOR_LIMIT} more (see report.json)")
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(result: MutationResult) -> Table:
    table = Table(title=f"Mutation score {_score_text(result)}", show_lines=False)
    for name in ("killed", "survived", "timeout", "incompetent", "no-coverage", "error", "total"):
        table.add_column(name, justify="right")
    c = result.counts
    table.add_row(
        *(
            str(value)
            for value in (
                c.killed,
                c.survived,
                c.timeout,
                c.incompetent,
                c.no_coverage,
                c.error,
                c.total,
            )
        )
    )
    return table


def _renderables(result: MutationResult) -> list[RenderableType]:
    parts: list[RenderableType] = [_table(result), Text(verdict(result))]
    parts += [Text(f"problem: {problem}", style="bold red") for problem in result.problems]
    parts += [Text(f"note: {note}", style="yellow") for note in result.notes]
    for mutant in result.survivors[:_SURVIVOR_LIMIT]:
        title = f"{mutant.module}:{mutant.line}  {mutant.operator}"
        body = Group(
            Text(f"in {mutant.definition or '<module>'}, {mutant.tests} tests ran, all passed"),
            Syntax(mutant.diff or "(no diff)", "diff", theme="ansi_light", word_wrap=True),
        )
        parts.append(Panel(body, title=title, title_align="left", border_style="red"))
    return parts


def html(result: MutationResult) -> str:
    """A self-contained HTML page (inline styles, no script)."""
    console = Console(record=True, width=110, file=_Sink(), color_system="truecolor")
    for part in _renderables(result):
        console.print(part)
    return console.export_html(inline_styles=True, clear=True)


class _Sink(io.StringIO):
    """A text stream that drops what rich writes (only the recording is kept)."""

    @override
    def write(self, s: str, /) -> int:
        return len(s)

    @override
    def flush(self) -> None:
        """Nothing buffered."""


def print_text(result: MutationResult, console: Console) -> None:
    """The terminal summary: the survivors (at most 20 with diffs) and the verdict."""
    for mutant in result.survivors[:20]:
        console.print(f"survived: {mutant.module}:{mutant.line} {mutant.operator}", markup=False)
        console.print(mutant.diff.rstrip("\n"), markup=False, highlight=False)
    if len(result.survivors) > 20:
        console.print(f"... and {len(result.survivors) - 20} more survivors (report.html)")
    console.print(verdict(result), markup=False)
    for problem in result.problems:
        console.print(f"mutation: {problem}", markup=False, style="red")
    for note in result.notes:
        console.print(f"note: {note}", markup=False)


def write_reports(result: MutationResult, root: Path, directory: Path) -> None:
    """result.json, report.json (Stryker), report.md and report.html under ``directory``."""
    write_text_atomic(directory / "result.json", result.model_dump_json(indent=2) + "\n")
    write_text_atomic(directory / "report.json", json.dumps(stryker(result, root), indent=1) + "\n")
    write_text_atomic(directory / "report.md", markdown(result))
    write_text_atomic(directory / "report.html", html(result))

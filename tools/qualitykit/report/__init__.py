"""The HTML quality report: ``.qualitykit/report/index.html`` (docs/report.md).

``collect`` reads the state the gate, coverage, mutation testing and triage left; ``sections``
shapes it for the page; ``render`` writes one self-contained HTML file; ``history`` keeps one
line per gate run for the trends.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from qualitykit.atomic import write_text_atomic
from qualitykit.report import history
from qualitykit.report.collect import collect, read_mutation
from qualitykit.report.forge import git_head
from qualitykit.report.render import render

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.results import GateResult
    from qualitykit.workspace import Workspace

REPORT_PAGE = ("report", "index.html")


def report_path(state_dir: Path) -> Path:
    """Where the page is written."""
    return state_dir.joinpath(*REPORT_PAGE)


def write_report(workspace: Workspace, gate: GateResult | None, base: str | None) -> Path:
    """Render the page from the project's state (``gate``: this run's, else summary.json)."""
    path = report_path(workspace.state_dir)
    write_text_atomic(path, render(collect(workspace, gate, base)))
    return path


def record_run(workspace: Workspace, gate: GateResult) -> None:
    """Append this gate run to the history the trends are drawn from."""
    mutation = read_mutation(workspace.state_dir)
    entry = history.entry_for(
        gate,
        commit=git_head(workspace.root),
        mutation_score=None if mutation is None else mutation.score,
        now=datetime.now(UTC),
    )
    history.append(workspace.state_dir / history.HISTORY_FILE, entry)

"""``qualitykit report``: write ``.qualitykit/report/index.html`` from the state on disk.

Runs nothing: it renders what the last gate, coverage, mutation and triage runs left. A
record that is there but broken is exit 2 naming it; a missing one is a section that says so.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from qualitykit.report import record_run, write_report
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.results import GateResult


def run(root: Path, *, base: str | None) -> int:
    """Write the report of the project at ``root``; print its path."""
    workspace = Workspace.load(root)
    path = write_report(workspace, None, base)
    print(f"report: {path}", file=sys.stderr)
    return 0


def after_gate(workspace: Workspace, gate: GateResult) -> None:
    """The history line and the page at the end of a gate run; never the gate's verdict.

    The report is a view of the run: when it cannot be written, one line on stderr says why
    and the gate's exit code stands (a report bug must not turn a red gate green or back).
    """
    try:
        record_run(workspace, gate)
        write_report(workspace, gate, None)
    except Exception as error:  # noqa: BLE001 - any failure of the view: one line, verdict kept
        text = " ".join(str(error).split()) or type(error).__name__
        print(f"qualitykit: report not written: {text}", file=sys.stderr)

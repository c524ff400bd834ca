"""``qualitykit check STEP``: one step, its status line and findings; ``--json`` for the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.console import make_console
from qualitykit.preflight import check_writable
from qualitykit.progress.steps import step_progress
from qualitykit.runlock import hold_run_lock
from qualitykit.runner import run_steps
from qualitykit.steps import resolve
from qualitykit.summary import render
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run(root: Path, step: str, *, use_cache: bool, as_json: bool) -> int:
    """Run ``step`` in the project at ``root`` (holding the project's run lock)."""
    workspace = Workspace.load(root)
    steps = resolve(workspace.config, (step,))
    check_writable(workspace.root, workspace.state_dir, workspace.config, [s.name for s in steps])
    console = make_console()
    with hold_run_lock(workspace.state_dir), step_progress(console) as progress:
        gate = run_steps(
            workspace,
            steps,
            use_cache=use_cache,
            on_result=progress.finished,
            on_start=progress.started,
        )
    # The step's prerequisites (e.g. coverage for badge) ran first; its own result is asked for.
    result = gate.step(step)
    if not gate.ok:
        render(console, gate)
    if as_json:
        print(result.model_dump_json(indent=2))
    return 0 if gate.ok else 1

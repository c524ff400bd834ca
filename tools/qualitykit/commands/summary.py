"""``qualitykit summary``: the last stored result of each gate step, without running anything.

A step with no stored result is an error in this summary: it has not been shown to pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.baseline.apply import Applier
from qualitykit.baseline.model import load_baseline
from qualitykit.cache import load_result
from qualitykit.console import make_console
from qualitykit.results import GateResult, Status, StepResult
from qualitykit.steps import resolve
from qualitykit.summary import render
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run(root: Path, *, as_json: bool) -> int:
    """Show the stored results of the gate's steps in the project at ``root``."""
    workspace = Workspace.load(root)
    # Stored results are the tools' own: judged under the baseline as the gate judges them.
    judge = Applier(
        load_baseline(workspace),
        resolve(workspace.config, workspace.config.gate_steps),
        workspace.root,
    )
    results: list[StepResult] = []
    for name in workspace.config.gate_steps:
        stored = load_result(workspace.state_dir, name, cache=False)
        results.append(
            judge(stored)
            if stored is not None
            else StepResult(
                step=name, status=Status.ERROR, summary="no result: the step has not run"
            )
        )
    gate = GateResult(steps=tuple(results), duration_s=sum(result.duration_s for result in results))
    render(make_console(), gate)
    if as_json:
        print(gate.model_dump_json(indent=2))
    return 0 if gate.ok else 1

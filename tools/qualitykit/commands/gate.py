"""``qualitykit gate``: every configured step in parallel, one summary, exit 0 or 1."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.runner import run_steps
from qualitykit.steps import resolve
from qualitykit.summary import make_console, publish, render, status_line
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run(root: Path, *, use_cache: bool, jobs: int | None, only: str | None, as_json: bool) -> int:
    """Run the gate in the project at ``root``."""
    workspace = Workspace.load(root)
    names = workspace.config.gate_steps
    if only:
        wanted = tuple(name.strip() for name in only.split(",") if name.strip())
        unknown = [name for name in wanted if name not in names]
        if unknown:
            raise QualityKitError(
                f"--steps: {unknown[0]!r} is not a gate step ({', '.join(names)})"
            )
        names = wanted
    if jobs is not None and jobs < 1:
        raise QualityKitError("--jobs must be at least 1")
    steps = resolve(workspace.config, names)
    console = make_console()
    gate = run_steps(
        workspace,
        steps,
        use_cache=use_cache,
        jobs=jobs or workspace.config.jobs,
        on_result=lambda result: status_line(console, result),
    )
    render(console, gate)
    publish(gate, workspace.state_dir)
    if as_json:
        print(gate.model_dump_json(indent=2))
    return 0 if gate.ok else 1

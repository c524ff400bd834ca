"""``qualitykit gate``: every configured step in parallel, one summary, exit 0 or 1."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from qualitykit import fastpath, sarif
from qualitykit.baseline.model import baseline_path
from qualitykit.commands import verify_incremental as verify
from qualitykit.commands.report import after_gate
from qualitykit.console import make_console
from qualitykit.errors import QualityKitError
from qualitykit.files import SARIF_FILE
from qualitykit.preflight import check_writable
from qualitykit.progress.steps import step_progress
from qualitykit.results import GateResult
from qualitykit.runlock import hold_run_lock
from qualitykit.runner import run_steps
from qualitykit.steps import resolve
from qualitykit.summary import publish, render, render_text
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path


def run(  # noqa: PLR0913 - the command's options
    root: Path,
    *,
    use_cache: bool,
    jobs: int | None,
    only: str | None,
    as_json: bool,
    incremental: bool = False,
    fail_fast: bool = False,
    verify_incremental: bool = False,
) -> int:
    """Run the gate in the project at ``root`` (holding the project's run lock).

    ``verify_incremental``: run it incrementally, then in full (no cache, no selection), and
    fail on any difference in verdict, findings or coverage figures.
    """
    workspace = Workspace.load(root)
    with hold_run_lock(workspace.state_dir):
        if verify_incremental:
            first = _run(with_incremental(workspace), use_cache=use_cache, jobs=jobs, only=only)
            fresh = Workspace.load(root)  # digests taken again: nothing memoised is reused
            full = _run(with_incremental(fresh, on=False), use_cache=False, jobs=jobs, only=only)
            return verify.report(first, full, as_json=as_json)
        if incremental:
            workspace = with_incremental(workspace)
        gate = _run(
            workspace,
            use_cache=use_cache,
            jobs=jobs,
            only=only,
            fail_fast=_fail_fast(workspace, asked=fail_fast),
        )
    if as_json:
        print(gate.model_dump_json(indent=2))
    return 0 if gate.ok else 1


def with_incremental(workspace: Workspace, *, on: bool = True) -> Workspace:
    """``workspace`` with the coverage step's test selection turned on (or off)."""
    config = workspace.config
    workspace.config = config.model_copy(
        update={"incremental": config.incremental.model_copy(update={"enabled": on})}
    )
    return workspace


def _fail_fast(workspace: Workspace, *, asked: bool) -> bool:
    """``--fail-fast``, unless under CI=true without ``fail-fast-in-ci`` (said on stderr)."""
    if asked and os.environ.get("CI") == "true" and not workspace.config.fail_fast_in_ci:
        sys.stderr.write(
            "qualitykit: --fail-fast ignored under CI=true: every step runs "
            "([tool.qualitykit] fail-fast-in-ci = true to opt in)\n"
        )
        return False
    return asked


def _run(
    workspace: Workspace,
    *,
    use_cache: bool,
    jobs: int | None,
    only: str | None,
    fail_fast: bool = False,
) -> GateResult:
    names = workspace.config.gate_steps
    selection = fastpath.normalise_selection(only)
    if selection:
        wanted = tuple(selection.split(","))
        unknown = [name for name in wanted if name not in names]
        if unknown:
            raise QualityKitError(
                f"--steps: {unknown[0]!r} is not a gate step ({', '.join(names)})"
            )
        names = wanted
    if jobs is not None and jobs < 1:
        raise QualityKitError("--jobs must be at least 1")
    steps = resolve(workspace.config, names)
    check_writable(
        workspace.root, workspace.state_dir, workspace.config, [step.name for step in steps]
    )
    # An earlier run's SARIF must not outlive this run's start: interrupted, this run would
    # leave it behind for an upload as if it were its own. It is written again at the end.
    (workspace.state_dir / SARIF_FILE).unlink(missing_ok=True)
    env_vars = sorted({name for step in steps for name in step.env_vars})
    replayable = use_cache and fastpath.applies() and all(step.cacheable for step in steps)
    # Taken before any step runs: an edit made during the run must not be recorded as passed.
    # The baseline decides verdicts too, even where git is told to ignore it.
    watched = [baseline_path(workspace)[0].relative_to(workspace.root).as_posix()]
    taken = (
        fastpath.fingerprint(workspace.root, selection, env_vars, watched) if replayable else None
    )
    console = make_console()
    with step_progress(console) as progress:
        gate = run_steps(
            workspace,
            steps,
            use_cache=use_cache,
            jobs=jobs or workspace.config.jobs,
            on_result=progress.finished,
            on_start=progress.started,
            fail_fast=fail_fast,
        )
    render(console, gate)
    publish(gate, workspace.state_dir)
    tools = sarif.step_tools(steps)
    sarif.write(gate, workspace.root, tools, workspace.state_dir)
    if taken is not None and gate.ok:
        replayed = GateResult(
            steps=tuple(result.model_copy(update={"cached": True}) for result in gate.steps),
            duration_s=gate.duration_s,
        )
        fastpath.record_pass(
            workspace.root,
            fastpath.Replay(
                selection=selection,
                fingerprint=taken,
                env_vars=env_vars,
                watched=watched,
                gate_json=replayed.model_dump_json(indent=2),
                rendered=render_text(replayed),
                sarif=sarif.build(replayed, workspace.root, tools).to_json(),
            ),
        )
    after_gate(workspace, gate)
    return gate

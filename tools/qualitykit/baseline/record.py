"""``qualitykit baseline``: record today's findings; ``--update``: remove the stale ones.

Both run the gate's steps as ``qualitykit gate`` does (cached passes reused) and look at the
results as the tools gave them. Recording refuses to overwrite an existing baseline, and an
update only removes entries: the baseline only ever shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.baseline.apply import Applier, counts_against, judged
from qualitykit.baseline.marks import Marker
from qualitykit.baseline.model import (
    BaselineEntry,
    BaselineFile,
    baseline_path,
    load_baseline,
    save_baseline,
)
from qualitykit.errors import QualityKitError
from qualitykit.preflight import check_writable
from qualitykit.runlock import hold_run_lock
from qualitykit.runner import run_steps_raw
from qualitykit.steps import resolve
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from qualitykit.results import GateResult, StepResult
    from qualitykit.steps.base import Step


@dataclass(frozen=True)
class Recorded:
    """What recording left: the file, its content, and the gate judged under it."""

    path: Path
    baseline: BaselineFile
    # The gate's results with the new baseline applied: a step still not ok (an error, a
    # failing test) is something no baseline holds.
    gate: GateResult


@dataclass(frozen=True)
class Updated:
    """What an update left: the file, the entries removed per step, the steps not judged."""

    path: Path
    baseline: BaselineFile
    removed: dict[str, int]
    # Steps whose entries were kept because the step did not give a verdict (an error).
    unjudged: tuple[str, ...]


@dataclass(frozen=True)
class _Run:
    """The gate's steps run as the tools see them, and how to fingerprint their findings."""

    gate: GateResult
    steps: list[Step]
    marker: Marker

    def current(self, result: StepResult) -> list[BaselineEntry]:
        """The entries of ``result``'s findings that count (errors)."""
        errors = [finding for finding in result.findings if counts_against(finding)]
        return self.marker.entries(result.step, errors)


def _run_gate(workspace: Workspace, on_result: Callable[[StepResult], None] | None) -> _Run:
    steps = resolve(workspace.config, workspace.config.gate_steps)
    names = [step.name for step in steps]
    check_writable(workspace.root, workspace.state_dir, workspace.config, names)
    gate = run_steps_raw(
        workspace, steps, use_cache=True, jobs=workspace.config.jobs, on_result=on_result
    )
    return _Run(gate, steps, Marker(workspace.root, steps))


def record_baseline(
    root: Path, *, on_result: Callable[[StepResult], None] | None = None
) -> Recorded:
    """Run the gate's steps and record every finding of every baselinable step.

    The file is ``[tool.qualitykit] baseline-file`` (default ``qualitykit-baseline.json``) at
    the project root, written atomically. An existing one is a :class:`QualityKitError`
    (exit 2): a recorded baseline only shrinks, with :func:`update_baseline`. ``on_result``
    sees each step's result as the tool gave it.
    """
    workspace = Workspace.load(root)
    path, _ = baseline_path(workspace)
    if path.is_dir():
        raise QualityKitError(f"{path}: is a directory, not a file")
    if path.exists() or path.is_symlink():
        msg = (
            f"{path}: a baseline exists already and only ever shrinks: "
            "use `qualitykit baseline --update` to remove its fixed entries"
        )
        raise QualityKitError(msg)
    with hold_run_lock(workspace.state_dir):
        run = _run_gate(workspace, on_result)
        baselinable = {step.name for step in run.steps if step.baselinable}
        entries = {
            result.step: run.current(result)
            for result in run.gate.steps
            if result.step in baselinable and judged(result)
        }
        baseline = BaselineFile.build(entries)
        save_baseline(path, baseline)
    judge = Applier(baseline, run.steps, workspace.root)
    judged_gate = run.gate.model_copy(update={"steps": tuple(map(judge, run.gate.steps))})
    return Recorded(path=path, baseline=baseline, gate=judged_gate)


def update_baseline(
    root: Path, *, on_result: Callable[[StepResult], None] | None = None
) -> Updated:
    """Remove the entries no finding matches any more; never add one.

    A step that errored keeps its entries (it gave no verdict to compare with); a step the
    gate no longer runs loses them (they can never match). No baseline is a
    :class:`QualityKitError` (exit 2): record one with :func:`record_baseline`.
    """
    workspace = Workspace.load(root)
    path, _ = baseline_path(workspace)
    existing = load_baseline(workspace)
    if existing is None:
        msg = f"baseline file {path} not found: record one with `qualitykit baseline`"
        raise QualityKitError(msg)
    with hold_run_lock(workspace.state_dir):
        run = _run_gate(workspace, on_result)
        return _shrink(path, existing, run)


def _shrink(path: Path, existing: BaselineFile, run: _Run) -> Updated:
    results = {result.step: result for result in run.gate.steps}
    kept: dict[str, tuple[BaselineEntry, ...]] = {}
    removed: dict[str, int] = {}
    unjudged: list[str] = []
    for step, entries in existing.steps.items():
        result = results.get(step)
        if result is not None and not judged(result):
            kept[step] = entries
            unjudged.append(step)
            continue
        current = {entry.fingerprint for entry in run.current(result)} if result else set[str]()
        kept[step] = tuple(entry for entry in entries if entry.fingerprint in current)
        if len(kept[step]) < len(entries):
            removed[step] = len(entries) - len(kept[step])
    shrunk = BaselineFile.build(kept)
    if removed:
        save_baseline(path, shrunk)
    return Updated(path=path, baseline=shrunk, removed=removed, unjudged=tuple(unjudged))

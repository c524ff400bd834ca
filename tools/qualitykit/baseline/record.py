"""``qualitykit baseline``: record today's findings; ``--update``: remove the stale ones.

Both run the gate's steps as ``qualitykit gate`` does (cached passes reused) and look at the
results as the tools gave them. Recording refuses to overwrite an existing baseline, and an
update only removes entries: the baseline only ever shrinks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.baseline.apply import Applier, counts_against, judged
from qualitykit.baseline.marks import SourceLines, entries_for
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


def _run_gate(
    workspace: Workspace, on_result: Callable[[StepResult], None] | None
) -> tuple[GateResult, list[str]]:
    steps = resolve(workspace.config, workspace.config.gate_steps)
    names = [step.name for step in steps]
    check_writable(workspace.root, workspace.state_dir, workspace.config, names)
    baselinable = [step.name for step in steps if step.baselinable]
    gate = run_steps_raw(
        workspace, steps, use_cache=True, jobs=workspace.config.jobs, on_result=on_result
    )
    return gate, baselinable


def _current(result: StepResult, lines: SourceLines) -> list[BaselineEntry]:
    errors = [finding for finding in result.findings if counts_against(finding)]
    return entries_for(result.step, errors, lines)


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
        gate, baselinable = _run_gate(workspace, on_result)
        lines = SourceLines(workspace.root)
        entries = {
            result.step: _current(result, lines)
            for result in gate.steps
            if result.step in baselinable and judged(result)
        }
        baseline = BaselineFile.build(entries)
        save_baseline(path, baseline)
    steps = resolve(workspace.config, workspace.config.gate_steps)
    judge = Applier(baseline, steps, workspace.root)
    judged_gate = gate.model_copy(update={"steps": tuple(map(judge, gate.steps))})
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
        gate, _ = _run_gate(workspace, on_result)
        return _shrink(workspace.root, path, existing, gate)


def _shrink(root: Path, path: Path, existing: BaselineFile, gate: GateResult) -> Updated:
    results = {result.step: result for result in gate.steps}
    lines = SourceLines(root)
    kept: dict[str, tuple[BaselineEntry, ...]] = {}
    removed: dict[str, int] = {}
    unjudged: list[str] = []
    for step, entries in existing.steps.items():
        result = results.get(step)
        if result is not None and not judged(result):
            kept[step] = entries
            unjudged.append(step)
            continue
        current = {entry.fingerprint for entry in _current(result, lines)} if result else set[str]()
        kept[step] = tuple(entry for entry in entries if entry.fingerprint in current)
        if len(kept[step]) < len(entries):
            removed[step] = len(entries) - len(kept[step])
    shrunk = BaselineFile.build(kept)
    if removed:
        save_baseline(path, shrunk)
    return Updated(path=path, baseline=shrunk, removed=removed, unjudged=tuple(unjudged))

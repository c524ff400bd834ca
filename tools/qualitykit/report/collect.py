"""What the report reads, and never more: collecting runs no step and no tool.

The gate's summary, the mutation result, the latest triage bundle, diff coverage, the history
and the forge.

A missing input is None (the page says how to produce it). A record that exists but is broken
(summary.json, the mutation result, a bundle's clusters) is exit 2 naming the file, as
everywhere else: a report must not look complete while it silently dropped a section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.changes import changed_lines
from qualitykit.errors import QualityKitError
from qualitykit.mutation.results import MutationResult
from qualitykit.report.forge import Forge, git_head, origin_forge
from qualitykit.report.history import HISTORY_FILE, HistoryEntry, load
from qualitykit.results import GateResult
from qualitykit.state import read_model
from qualitykit.triage.bundle import REPORTS
from qualitykit.triage.delta import latest_bundle
from qualitykit.triage.models import Clusters

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.coverage.diff import DiffCoverageResult
    from qualitykit.triage.models import Cluster
    from qualitykit.workspace import Workspace

SUMMARY_FILE = "summary.json"
# Where `qualitykit mutation run` leaves its result (mutation.engine.STATE; that module is not
# imported here: it loads cosmic-ray, ~0.7 s, more than the report's whole budget).
MUTATION_RESULT = ("mutation", "result.json")


@dataclass(frozen=True)
class Triage:
    """The latest triage bundle: its name and clusters (each with its representative traceback)."""

    bundle: str
    clusters: tuple[Cluster, ...]


@dataclass(frozen=True)
class Inputs:
    """Everything one report is rendered from (equal inputs, equal bytes)."""

    gate: GateResult | None
    mutation: MutationResult | None
    triage: Triage | None
    base: str | None
    changed: dict[str, frozenset[int]] | None
    diff: DiffCoverageResult | None
    notes: tuple[str, ...]  # why a part of a section could not be shown
    forge: Forge | None
    history: tuple[HistoryEntry, ...]
    history_notes: tuple[str, ...]


def read_gate(state_dir: Path) -> GateResult | None:
    """The last gate run's result (``summary.json``), None when no gate ran yet."""
    return read_model(state_dir / SUMMARY_FILE, GateResult, "gate summary", cache=False)


def read_mutation(state_dir: Path) -> MutationResult | None:
    """The last mutation run's result, None when mutation testing never ran here."""
    path = state_dir.joinpath(*MUTATION_RESULT)
    return read_model(path, MutationResult, "mutation result", cache=False)


def read_triage(root: Path) -> Triage | None:
    """The newest bundle under ``reports/``, None when triage never ran here."""
    bundle = latest_bundle(root / REPORTS)
    if bundle is None:
        return None
    clusters = read_model(bundle / "clusters.json", Clusters, "triage clusters", cache=False)
    if clusters is None:
        raise QualityKitError(f"{bundle}: not a triage bundle (no clusters.json)")
    return Triage(bundle=bundle.name, clusters=clusters.clusters)


def _diff_coverage(
    workspace: Workspace, base: str, changed: dict[str, frozenset[int]]
) -> tuple[DiffCoverageResult | None, str | None]:
    # Imported on use: the freshness check needs the step registry (a report without a base
    # never loads it).
    from qualitykit.commands.coverage_diff import staleness  # noqa: PLC0415
    from qualitykit.coverage.diff import diff_coverage  # noqa: PLC0415

    reason, xml_path = staleness(workspace)
    if reason is not None:
        # Never judge changed lines with data older than the code (coverage/freshness.py).
        return None, f"uncovered changed lines not shown: coverage data is stale ({reason})"
    return diff_coverage(workspace.root, base, xml_path, None, changed=changed), None


def collect(workspace: Workspace, gate: GateResult | None, base: str | None) -> Inputs:
    """Read every input of the report.

    A ``base`` the user gave must resolve (else exit 2); the configured default (the policy's
    base) only adds a note when it does not.
    """
    root, state_dir = workspace.root, workspace.state_dir
    notes: list[str] = []
    explicit = base is not None
    base = base if explicit else workspace.config.policy.base
    changed: dict[str, frozenset[int]] | None = None
    diff: DiffCoverageResult | None = None
    if base is not None:
        try:
            changed = changed_lines(root, base)
        except QualityKitError as error:
            if explicit:
                raise
            notes.append(f"nothing marked new: {error}")
        if changed is not None:
            diff, note = _diff_coverage(workspace, base, changed)
            notes += [note] if note else []
    history, history_notes = load(state_dir / HISTORY_FILE)
    return Inputs(
        gate=gate if gate is not None else read_gate(state_dir),
        mutation=read_mutation(state_dir),
        triage=read_triage(root),
        base=base if changed is not None else None,
        changed=changed,
        diff=diff,
        notes=tuple(notes),
        forge=origin_forge(root, git_head(root)),
        history=tuple(history),
        history_notes=tuple(history_notes),
    )

"""Merging shard sessions into one session and one result."""

from __future__ import annotations

import shutil
import time
from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.mutation.mutants import Mutant
from qualitykit.mutation.results import MutantResult, MutationResult, Outcome
from qualitykit.mutation.session import open_session
from qualitykit.mutation.verdict import RunOptions, Verdict, finish, mutant_result

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.workspace import Workspace


def merge(
    workspace: Workspace, sessions: list[Path], output: Path, *, apply_threshold: bool = True
) -> MutationResult:
    """Fold the results of ``sessions`` (same mutants) into ``output``; the merged result."""
    started = time.monotonic()
    if not sessions:
        raise QualityKitError("mutation merge: no session given")
    for path in sessions:
        if not path.is_file():
            raise QualityKitError(f"{path}: no such session")
    with open_session(sessions[0]) as first:
        specs = first.specs()
    merged: dict[str, tuple[Outcome, str, str]] = {}
    for path in sessions:
        with open_session(path) as session:
            if set(session.specs()) != set(specs):
                raise QualityKitError(
                    f"{path}: its mutants differ from {sessions[0]}'s (another commit or config?)"
                )
            for job_id, record in session.results().items():
                known = merged.get(job_id)
                if known is not None and known[0] is not record[0]:
                    here, there = record[0].value, known[0].value
                    raise QualityKitError(
                        f"{path}: mutant {job_id} is {here} here and {there} in another shard"
                    )
                merged[job_id] = record
    if output.resolve() != sessions[0].resolve():
        output.parent.mkdir(parents=True, exist_ok=True)
        temp = output.with_name(output.name + ".tmp")
        shutil.copyfile(sessions[0], temp)
        temp.replace(output)
    results: dict[str, MutantResult] = {}
    mutants: list[Mutant] = []
    with open_session(output) as session:
        for job_id, (outcome, detail, diff) in sorted(merged.items()):
            session.record(job_id, outcome, detail, diff)
        for job_id, spec in sorted(
            specs.items(),
            key=lambda item: (str(item[1].module_path), item[1].operator_name, item[1].occurrence),
        ):
            mutant = Mutant(
                job_id=job_id,
                module=spec.module_path.as_posix(),
                operator=spec.operator_name,
                occurrence=spec.occurrence,
                start=(spec.start_pos[0], spec.start_pos[1]),
                end=(spec.end_pos[0], spec.end_pos[1]),
                statement_line=spec.start_pos[0],
                definition=spec.definition_name,
            )
            mutants.append(mutant)
            stored = merged.get(job_id)
            if stored is not None:
                outcome, detail, diff = stored
                results[job_id] = mutant_result(
                    mutant, outcome, None, diff, detail=detail if outcome is Outcome.ERROR else ""
                )
    options = RunOptions(apply_threshold=apply_threshold)
    return finish(workspace, mutants, results, Verdict([], [], options, started, 0))

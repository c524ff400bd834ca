"""The verdict of a run or a merge: counts, score, threshold, ratchet and every problem."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualitykit.mutation.results import (
    MutantResult,
    MutationCounts,
    MutationResult,
    Outcome,
    count,
)

if TYPE_CHECKING:
    from qualitykit.mutation.mutants import Mutant
    from qualitykit.workspace import Workspace


@dataclass(frozen=True)
class RunOptions:
    """What one ``qualitykit mutation run`` does beyond the configuration."""

    changed_base: str | None = None
    shard: tuple[int, int] | None = None
    workers: int | None = None
    use_cache: bool = True
    apply_threshold: bool = True


def mutant_result(  # noqa: PLR0913 - one field each
    mutant: Mutant,
    outcome: Outcome,
    tests: list[str] | None,
    diff: str,
    *,
    cached: bool = False,
    seconds: float | None = None,
    detail: str = "",
) -> MutantResult:
    """The typed result of ``mutant`` (also what a merge builds from a stored session)."""
    return MutantResult(
        id=mutant.job_id,
        module=mutant.module,
        operator=mutant.operator,
        occurrence=mutant.occurrence,
        line=mutant.start[0],
        column=mutant.start[1],
        end_line=mutant.end[0],
        end_column=mutant.end[1],
        definition=mutant.definition,
        outcome=outcome,
        tests=len(tests or ()),
        seconds=seconds,
        cached=cached,
        diff=diff,
        detail=detail,
    )


@dataclass
class Verdict:
    """What decides a run besides its mutants: problems so far, notes, options, timing."""

    problems: list[str]
    notes: list[str]
    options: RunOptions
    started: float
    workers: int


def finish(
    workspace: Workspace,
    scope: list[Mutant],
    results: dict[str, MutantResult],
    verdict: Verdict,
) -> MutationResult:
    """The verdict on ``scope``: counts, score, threshold, ratchet and every problem."""
    options, notes = verdict.options, list(verdict.notes)
    config = workspace.config.mutation
    mutants = [results.get(m.job_id) or mutant_result(m, Outcome.PENDING, None, "") for m in scope]
    counts = count(mutants)
    score = counts.score
    problems = list(verdict.problems)
    if not scope:
        if options.changed_base is not None:
            notes.append(f"no mutant on the lines changed since {options.changed_base}")
        else:
            problems.append("0 mutants: nothing was mutated")
    if counts.error and not config.allow_errors:
        problems.append(f"{counts.error} mutants ended in a harness error (allow-errors = false)")
    if counts.pending and not problems:
        problems.append(f"{counts.pending} mutants were not run")
    judged = options.apply_threshold or options.shard is None
    if scope and score is None and judged and not problems:
        # Nothing the tests decided: no score, so the threshold has nothing to hold.
        problems.append(_no_score(counts, options))
    if options.apply_threshold and score is not None and score < config.threshold:
        problems.append(f"score {score:.1f}% is below the threshold {config.threshold:g}%")
    if options.apply_threshold and config.ratchet and score is not None:
        from qualitykit.mutation.ratchet import check_ratchet  # noqa: PLC0415

        problems.extend(check_ratchet(workspace, score))
    shard = f"{options.shard[0]}/{options.shard[1]}" if options.shard else None
    return MutationResult(
        ok=not problems,
        score=score,
        threshold=config.threshold,
        counts=counts,
        problems=tuple(problems),
        notes=tuple(notes),
        modules=tuple(sorted({m.module for m in scope})),
        shard=shard,
        changed_base=options.changed_base,
        seconds=round(time.monotonic() - verdict.started, 2),
        workers=verdict.workers,
        mutants=tuple(mutants),
    )


def _no_score(counts: MutationCounts, options: RunOptions) -> str:
    """Why a run with mutants has no score: which outcomes it had instead."""
    if counts.no_coverage == counts.total:
        if options.changed_base is not None:
            return (
                f"no test executes the lines changed since {options.changed_base}: all "
                f"{counts.total} mutants on them are no-coverage (add a test for them)"
            )
        return (
            "no test executes any mutated line: every mutant is no-coverage "
            "(check [tool.qualitykit.mutation] tests)"
        )
    apart = {
        "timeout": counts.timeout,
        "incompetent": counts.incompetent,
        "no-coverage": counts.no_coverage,
        "error": counts.error,
    }
    shown = ", ".join(f"{number} {name}" for name, number in apart.items() if number)
    return f"no mutant was killed or survived ({shown}): there is no score to judge"

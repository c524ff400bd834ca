"""Typed mutation results: what the run, the reports, the merge and the Python API read."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from qualitykit.mutation import protocol


class Outcome(StrEnum):
    """What happened to one mutant. Only ``killed`` and ``survived`` enter the score."""

    # The names are the worker protocol's (defined once, in the stdlib-only protocol module).
    KILLED = protocol.KILLED
    SURVIVED = protocol.SURVIVED
    TIMEOUT = protocol.TIMEOUT
    INCOMPETENT = protocol.INCOMPETENT  # the mutated module does not compile
    NO_COVERAGE = protocol.NO_COVERAGE  # no test executes its lines: not run
    ERROR = protocol.ERROR  # the harness failed (never counted as killed)
    PENDING = protocol.PENDING  # not run yet (another shard's, or an interrupted run's)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MutantResult(_Frozen):
    """One mutant: where, which operator, what happened, and the diff that shows it."""

    id: str
    module: str
    operator: str
    occurrence: int
    line: int
    column: int
    end_line: int
    end_column: int
    definition: str | None = None
    outcome: Outcome
    tests: int = 0  # tests selected for it
    seconds: float | None = None
    cached: bool = False
    diff: str = ""
    detail: str = ""


class MutationCounts(_Frozen):
    """Mutants per outcome."""

    killed: int = 0
    survived: int = 0
    timeout: int = 0
    incompetent: int = 0
    no_coverage: int = 0
    error: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        """Every mutant in scope."""
        return (
            self.killed
            + self.survived
            + self.timeout
            + self.incompetent
            + self.no_coverage
            + self.error
            + self.pending
        )

    @property
    def score(self) -> float | None:
        """Killed / (killed + survived), in percent; None when neither happened."""
        decided = self.killed + self.survived
        return None if decided == 0 else 100.0 * self.killed / decided


def count(mutants: list[MutantResult]) -> MutationCounts:
    """Tally ``mutants`` by outcome."""
    tally = dict.fromkeys(Outcome, 0)
    for mutant in mutants:
        tally[mutant.outcome] += 1
    return MutationCounts(
        killed=tally[Outcome.KILLED],
        survived=tally[Outcome.SURVIVED],
        timeout=tally[Outcome.TIMEOUT],
        incompetent=tally[Outcome.INCOMPETENT],
        no_coverage=tally[Outcome.NO_COVERAGE],
        error=tally[Outcome.ERROR],
        pending=tally[Outcome.PENDING],
    )


class MutationResult(_Frozen):
    """A whole run (or a merge of shard runs): every mutant in scope and the verdict."""

    ok: bool
    score: float | None
    threshold: float
    counts: MutationCounts
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    shard: str | None = None
    changed_base: str | None = None
    seconds: float = 0.0
    workers: int = 0
    mutants: tuple[MutantResult, ...] = Field(default_factory=tuple[MutantResult, ...])

    @property
    def survivors(self) -> list[MutantResult]:
        """The survived mutants, by file and line."""
        found = [mutant for mutant in self.mutants if mutant.outcome is Outcome.SURVIVED]
        return sorted(found, key=lambda mutant: (mutant.module, mutant.line, mutant.column))

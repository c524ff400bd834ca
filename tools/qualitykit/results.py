"""Typed results: what every step produces and what the summary, JSON output and API read."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Status(StrEnum):
    """Outcome of a step. ``error`` means the tool itself failed, not the code it checked."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


class Severity(StrEnum):
    """How serious a finding is, normalised across tools."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Finding(_Frozen):
    """One problem a tool reported, at a place in a file when the tool gives one."""

    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    code: str | None = None
    severity: Severity = Severity.ERROR
    # Set by tools that track findings across edits (the policy); qualitykit.fingerprints.
    fingerprint: str | None = None


class Counts(_Frozen):
    """What a step looked at and what it found. Test counts are set by test-running steps."""

    files: int | None = None
    findings: int = 0
    tests: int | None = None
    failures: int | None = None
    errors: int | None = None
    skipped: int | None = None
    # Set when a baseline applies to the step (qualitykit.baseline): its entries for the step,
    # and how many of them matched a finding (removed from ``findings``); the rest are stale.
    baseline: int | None = Field(default=None, ge=0)
    baselined: int = Field(default=0, ge=0)

    def describe(self) -> str:
        """Short human text, e.g. ``"12 files, 0 findings"`` or ``"40 tests, 1 failed"``."""
        parts: list[str] = []
        if self.tests is not None:
            parts.append(f"{self.tests} tests")
            bad = (self.failures or 0) + (self.errors or 0)
            if bad:
                parts.append(f"{bad} failed")
            if self.skipped:
                parts.append(f"{self.skipped} skipped")
        else:
            if self.files is not None:
                parts.append(f"{self.files} files")
            parts.append(f"{self.findings} findings")
        if self.baseline:
            parts.append(f"{self.baselined} of {self.baseline} baselined")
        return ", ".join(parts)


class CoverageFigures(_Frozen):
    """coverage.py's numbers for a file, a group or the total (branch coverage included)."""

    statements: int = 0
    missing_lines: int = 0
    branches: int = 0
    missing_branches: int = 0
    percent: float = 100.0

    @property
    def covered(self) -> int:
        """Covered lines plus covered branches (the numerator of ``percent``)."""
        return self.statements - self.missing_lines + self.branches - self.missing_branches

    @property
    def measurable(self) -> int:
        """Statements plus branches (the denominator of ``percent``)."""
        return self.statements + self.branches

    def __add__(self, other: CoverageFigures) -> CoverageFigures:
        """The figures of two sets of files together."""
        statements = self.statements + other.statements
        branches = self.branches + other.branches
        missing_lines = self.missing_lines + other.missing_lines
        missing_branches = self.missing_branches + other.missing_branches
        measurable = statements + branches
        covered = measurable - missing_lines - missing_branches
        return CoverageFigures(
            statements=statements,
            missing_lines=missing_lines,
            branches=branches,
            missing_branches=missing_branches,
            percent=100.0 * covered / measurable if measurable else 100.0,
        )


class GroupCoverage(_Frozen):
    """One configured module group: its figures against its floor and milestones."""

    name: str
    files: int
    figures: CoverageFigures
    floor: float | None = None
    next_milestone: float | None = None

    @property
    def headroom(self) -> float | None:
        """Percentage points above the floor (negative: below it)."""
        return None if self.floor is None else self.figures.percent - self.floor


class CoverageResult(_Frozen):
    """What the coverage step measured: total, per file, per group, and the ratchet's view."""

    total: CoverageFigures
    floor: float | None = None
    files: dict[str, CoverageFigures] = Field(default_factory=dict[str, CoverageFigures])
    groups: tuple[GroupCoverage, ...] = ()
    baseline_total: float | None = None
    core: str = ""


class StepResult(_Frozen):
    """The validated result of one step run (or reused from the cache)."""

    step: str
    status: Status
    summary: str = ""
    findings: tuple[Finding, ...] = ()
    counts: Counts = Field(default_factory=Counts)
    duration_s: float = 0.0
    command: tuple[str, ...] = ()
    exit_code: int | None = None
    log_path: str | None = None
    cache_key: str | None = None
    cached: bool = False
    notes: tuple[str, ...] = ()
    coverage: CoverageResult | None = None

    @property
    def ok(self) -> bool:
        """True when the step does not make the gate fail."""
        return self.status in {Status.PASS, Status.SKIPPED}


class GateResult(_Frozen):
    """All step results of one gate run, in the configured step order."""

    steps: tuple[StepResult, ...]
    duration_s: float

    @property
    def ok(self) -> bool:
        """True when every step passed (or was skipped by configuration); 0 steps is not ok."""
        return bool(self.steps) and all(step.ok for step in self.steps)

    def step(self, name: str) -> StepResult:
        """The result of the step called ``name``."""
        return next(result for result in self.steps if result.step == name)

    @property
    def failed_steps(self) -> tuple[str, ...]:
        """Names of the steps that failed or errored, in order."""
        return tuple(step.step for step in self.steps if not step.ok)

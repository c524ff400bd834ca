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


class Counts(_Frozen):
    """What a step looked at and what it found. Test counts are set by test-running steps."""

    files: int | None = None
    findings: int = 0
    tests: int | None = None
    failures: int | None = None
    errors: int | None = None
    skipped: int | None = None

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
        return ", ".join(parts)


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
        """True when every step passed (or was skipped by configuration)."""
        return all(step.ok for step in self.steps)

    @property
    def failed_steps(self) -> tuple[str, ...]:
        """Names of the steps that failed or errored, in order."""
        return tuple(step.step for step in self.steps if not step.ok)

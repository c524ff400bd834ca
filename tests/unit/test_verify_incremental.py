"""``gate --verify-incremental`` compares two real GateResults: every difference is one line."""

from __future__ import annotations

from qualitykit.commands.verify_incremental import differences
from qualitykit.results import (
    CoverageFigures,
    CoverageResult,
    Finding,
    GateResult,
    Status,
    StepResult,
)


def _coverage(percent: float, missing: int) -> CoverageResult:
    figures = CoverageFigures(statements=10, missing_lines=missing, percent=percent)
    return CoverageResult(total=figures, files={"src/a.py": figures})


def _gate(status: Status, percent: float, missing: int, finding: str | None) -> GateResult:
    findings = (Finding(message=finding, file="src/a.py", line=3),) if finding else ()
    step = StepResult(
        step="coverage",
        status=status,
        findings=findings,
        coverage=_coverage(percent, missing),
    )
    return GateResult(steps=(step,), duration_s=1.0)


def test_equal_runs_have_no_difference() -> None:
    """Same verdict, findings and figures: nothing to report."""
    assert differences(_gate(Status.PASS, 90.0, 1, None), _gate(Status.PASS, 90.0, 1, None)) == []


def test_every_kind_of_difference_is_reported() -> None:
    """A verdict, a finding, the total and a file's figures: each one is named."""
    found = differences(_gate(Status.PASS, 90.0, 1, None), _gate(Status.FAIL, 80.0, 2, "drop"))
    assert found[0] == "coverage: verdict pass incremental, fail full"
    assert "coverage: finding only full: src/a.py:3 drop" in found
    assert any(line.startswith("coverage: total ") for line in found)
    assert any(line.startswith("coverage: src/a.py: ") for line in found)


def test_a_step_missing_from_the_incremental_run_is_a_difference() -> None:
    """A step only the full run has cannot be called equal."""
    full = _gate(Status.PASS, 90.0, 1, None)
    assert differences(GateResult(steps=(), duration_s=1.0), full) == [
        "coverage: not run incrementally"
    ]

"""The typed results every step produces and everything downstream reads."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from qualitykit.results import Counts, Finding, GateResult, Severity, Status, StepResult


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        (Counts(), "0 findings"),
        (Counts(files=12), "12 files, 0 findings"),
        (Counts(files=3, findings=2), "3 files, 2 findings"),
        (Counts(findings=1), "1 findings"),
        (Counts(files=1, tests=40, failures=0, errors=0, skipped=0), "40 tests"),
        (Counts(tests=40, failures=1, errors=0), "40 tests, 1 failed"),
        (Counts(tests=40, failures=1, errors=2, skipped=3), "40 tests, 3 failed, 3 skipped"),
        (Counts(tests=5, errors=1), "5 tests, 1 failed"),
        (Counts(tests=5, skipped=5), "5 tests, 5 skipped"),
        # Test counts win over file counts: a suite says what it ran, not what it read.
        (Counts(files=9, findings=2, tests=7, failures=2), "7 tests, 2 failed"),
    ],
)
def test_counts_describe(counts: Counts, text: str) -> None:
    assert counts.describe() == text


@pytest.mark.parametrize(
    ("status", "ok"),
    [(Status.PASS, True), (Status.SKIPPED, True), (Status.FAIL, False), (Status.ERROR, False)],
)
def test_step_result_ok(status: Status, *, ok: bool) -> None:
    assert StepResult(step="mypy", status=status).ok is ok


def test_gate_result_failed_steps_in_order() -> None:
    gate = GateResult(
        steps=(
            StepResult(step="ruff-format", status=Status.PASS),
            StepResult(step="ruff-lint", status=Status.ERROR),
            StepResult(step="mypy", status=Status.SKIPPED),
            StepResult(step="pyright", status=Status.FAIL),
        ),
        duration_s=1.5,
    )
    assert gate.failed_steps == ("ruff-lint", "pyright")
    assert gate.ok is False


def test_gate_result_ok_when_everything_passed_or_was_skipped() -> None:
    gate = GateResult(
        steps=(
            StepResult(step="ruff-lint", status=Status.PASS),
            StepResult(step="zizmor", status=Status.SKIPPED),
        ),
        duration_s=0.1,
    )
    assert gate.ok is True
    assert gate.failed_steps == ()


def test_an_empty_gate_is_not_ok() -> None:
    """A gate that ran no step proved nothing: never a pass."""
    assert GateResult(steps=(), duration_s=0.0).ok is False


def _rich_result() -> StepResult:
    return StepResult(
        step="pyright",
        status=Status.FAIL,
        summary="2 files, 1 findings",
        findings=(
            Finding(
                file="src/pkg/bad.py",
                line=12,
                col=15,
                code="reportAssignmentType",
                message='Type "int" is not assignable to declared type "str"\n  detail',
            ),
            Finding(
                file="src/pkg/bad.py", line=14, col=1, message="unused", severity=Severity.WARNING
            ),
            Finding(message="no place at all", severity=Severity.NOTE),
        ),
        counts=Counts(files=2, findings=1),
        duration_s=0.42,
        command=("pyright", "--outputjson", "src/pkg/bad.py"),
        exit_code=1,
        log_path="/project/.qualitykit/logs/pyright.log",
        cache_key="ab" * 32,
    )


def test_step_result_json_round_trip() -> None:
    result = _rich_result()
    text = result.model_dump_json()
    again = StepResult.model_validate_json(text)
    assert again == result
    assert again.findings[1].severity is Severity.WARNING
    assert again.status is Status.FAIL
    assert again.model_dump_json() == text


def test_step_result_json_uses_plain_strings_for_enums() -> None:
    text = _rich_result().model_dump_json()
    assert '"status":"fail"' in text
    assert '"severity":"warning"' in text


def test_gate_result_json_round_trip() -> None:
    gate = GateResult(
        steps=(_rich_result(), StepResult(step="mypy", status=Status.PASS, cached=True)),
        duration_s=3.25,
    )
    assert GateResult.model_validate_json(gate.model_dump_json(indent=2)) == gate


def test_results_reject_unknown_fields_and_statuses() -> None:
    with pytest.raises(ValidationError):
        StepResult.model_validate_json('{"step": "mypy", "status": "pass", "surprise": 1}')
    with pytest.raises(ValidationError):
        StepResult.model_validate_json('{"step": "mypy", "status": "passed"}')


def test_results_are_frozen() -> None:
    result = StepResult(step="mypy", status=Status.FAIL)
    with pytest.raises(ValidationError):
        result.status = Status.PASS

"""State files for the report's tests: a gate summary and a mutation result of any size.

Built with qualitykit's own result models (what the gate and mutation runs write), so the
report reads exactly the files a real run leaves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.mutation.results import MutantResult, MutationResult, Outcome, count
from qualitykit.results import Counts, Finding, GateResult, Status, StepResult

if TYPE_CHECKING:
    from pathlib import Path

HOSTILE = "</script><script>alert(1)</script> & <b>bold</b>"


def gate_result(findings: int, *, files: int = 50, message: str = "") -> GateResult:
    """A failed gate: ``findings`` ruff findings over ``files`` files, plus a passing mypy."""
    found = tuple(
        Finding(
            message=message or f"Line too long ({100 + index % 50} > 100)",
            file=f"src/pkg/module_{index % files:03d}.py",
            line=1 + index // files,
            col=1,
            code="E501",
        )
        for index in range(findings)
    )
    ruff = StepResult(
        step="ruff-lint",
        status=Status.FAIL if found else Status.PASS,
        findings=found,
        counts=Counts(files=files, findings=findings),
        duration_s=0.42,
    )
    mypy = StepResult(step="mypy", status=Status.PASS, counts=Counts(files=files), duration_s=3.5)
    return GateResult(steps=(ruff, mypy), duration_s=3.9)


def mutation_result(mutants: int, *, survive_every: int = 5) -> MutationResult:
    """``mutants`` mutants, one in ``survive_every`` survived (with a diff), the rest killed."""
    made = [
        MutantResult(
            id=f"m{index:05d}",
            module=f"src/pkg/module_{index % 40:03d}.py",
            operator="core/NumberReplacer",
            occurrence=index,
            line=1 + index // 40,
            column=4,
            end_line=1 + index // 40,
            end_column=5,
            outcome=Outcome.SURVIVED if index % survive_every == 0 else Outcome.KILLED,
            tests=3,
            diff=f"--- a\n+++ b\n@@ -{index} +{index} @@\n-    return 1\n+    return 2\n",
        )
        for index in range(mutants)
    ]
    counts = count(made)
    return MutationResult(
        ok=False,
        score=counts.score,
        threshold=80.0,
        counts=counts,
        mutants=tuple(made),
    )


def write_state(root: Path, gate: GateResult | None, mutation: MutationResult | None) -> None:
    """Write ``.qualitykit/summary.json`` and the mutation result as the runs would."""
    state = root / ".qualitykit"
    if gate is not None:
        state.mkdir(parents=True, exist_ok=True)
        (state / "summary.json").write_text(gate.model_dump_json(indent=2), encoding="utf-8")
    if mutation is not None:
        (state / "mutation").mkdir(parents=True, exist_ok=True)
        (state / "mutation" / "result.json").write_text(
            mutation.model_dump_json(indent=2), encoding="utf-8"
        )

"""What the user reads about a gate run: Markdown, GitHub annotations, summary files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

from qualitykit.results import Counts, Finding, GateResult, Severity, Status, StepResult
from qualitykit.summary import github_annotations, markdown, render_text

if TYPE_CHECKING:
    from pathlib import Path

F401 = Finding(file="src/pkg/a.py", line=1, col=8, code="F401", message="`os` imported but unused")


def gate_of(*steps: StepResult, duration_s: float = 2.5) -> GateResult:
    return GateResult(steps=steps, duration_s=duration_s)


def passed(step: str, **fields: object) -> StepResult:
    return StepResult.model_validate(
        {
            "step": step,
            "status": "pass",
            "counts": Counts(files=3),
            "duration_s": 0.25,
            **fields,
        }
    )


LINT_FAIL = StepResult(
    step="ruff-lint",
    status=Status.FAIL,
    summary="3 files, 1 findings",
    findings=(F401,),
    counts=Counts(files=3, findings=1),
    duration_s=0.5,
)
MYPY_ERROR = StepResult(
    step="mypy",
    status=Status.ERROR,
    summary="tool failed: exit code 2 (expected 0 or 1): mypy: error: bad flag",
    duration_s=1.0,
)


# --- markdown ----------------------------------------------------------------------------------


def test_markdown_of_a_passing_gate() -> None:
    text = markdown(gate_of(passed("ruff-format"), passed("mypy", cached=True)))
    assert text == textwrap.dedent(
        """\
        ## qualitykit gate passed

        | step | status | result | seconds |
        | --- | --- | --- | ---: |
        | ruff-format | pass | 3 files, 0 findings | 0.25 |
        | mypy | pass | 3 files, 0 findings (cached) | 0.25 |
        """
    )


def test_markdown_of_a_failing_gate() -> None:
    text = markdown(gate_of(passed("ruff-format"), LINT_FAIL, MYPY_ERROR))
    assert text == textwrap.dedent(
        """\
        ## qualitykit gate failed: ruff-lint, mypy

        | step | status | result | seconds |
        | --- | --- | --- | ---: |
        | ruff-format | pass | 3 files, 0 findings | 0.25 |
        | ruff-lint | fail | 3 files, 1 findings | 0.50 |
        | mypy | error | tool failed: exit code 2 (expected 0 or 1): mypy: error: bad flag | 1.00 |

        ### ruff-lint

        - `src/pkg/a.py:1:8: F401 'os' imported but unused`
        """
    )


def test_markdown_escapes_pipes_in_table_cells() -> None:
    result = StepResult(step="no-todo", status=Status.FAIL, summary="a | b", duration_s=0.0)
    rows = [line for line in markdown(gate_of(result)).splitlines() if line.startswith("| no")]
    assert rows == ["| no-todo | fail | a \\| b | 0.00 |"]


def test_markdown_keeps_multi_line_text_inside_its_row_and_item() -> None:
    tail = "FAILED tests/test_x.py::test_y\n\n=== 1 failed ===\n- not a new item"
    result = StepResult(
        step="no-todo",
        status=Status.ERROR,
        summary="tool failed: line one\nline two",
        findings=(Finding(message=tail),),
    )
    lines = markdown(gate_of(result)).splitlines()
    assert lines[4] == "| no-todo | error | tool failed: line one line two | 0.00 |"
    assert lines[5:] == [
        "",
        "### no-todo",
        "",
        "- `FAILED tests/test_x.py::test_y  === 1 failed === - not a new item`",
    ]


def test_markdown_shows_at_most_ten_findings_per_step() -> None:
    findings = tuple(Finding(file="a.py", line=n, message=f"m{n}") for n in range(1, 15))
    result = StepResult(step="vulture", status=Status.FAIL, findings=findings)
    items = [line for line in markdown(gate_of(result)).splitlines() if line.startswith("- ")]
    assert items == [f"- `a.py:{n}: m{n}`" for n in range(1, 11)]


# --- GitHub annotations ------------------------------------------------------------------------


def test_annotations_only_for_steps_that_did_not_pass() -> None:
    assert github_annotations(gate_of(passed("ruff-lint"), passed("mypy"))) == []
    assert github_annotations(gate_of(passed("ruff-lint"), LINT_FAIL)) == [
        (
            "::error file=src/pkg/a.py,line=1,col=8,title=qualitykit ruff-lint::"
            "F401: `os` imported but unused"
        )
    ]


def test_annotation_for_a_step_without_findings_carries_its_summary() -> None:
    assert github_annotations(gate_of(MYPY_ERROR)) == [
        (
            "::error title=qualitykit mypy::"
            "tool failed: exit code 2 (expected 0 or 1): mypy: error: bad flag"
        )
    ]


def test_annotation_escaping() -> None:
    finding = Finding(
        file="src/odd,name:v2%.py",
        line=3,
        col=4,
        code="X1",
        message="100% wrong\r\nsecond line, with: punctuation",
    )
    error = StepResult(step="no-todo", status=Status.ERROR, summary="50% done\nthen died")
    failed = StepResult(step="no-todo", status=Status.FAIL, findings=(finding,))
    assert github_annotations(gate_of(error)) == [
        "::error title=qualitykit no-todo::50%25 done%0Athen died"
    ]
    assert github_annotations(gate_of(failed)) == [
        (
            "::error file=src/odd%2Cname%3Av2%25.py,line=3,col=4,title=qualitykit no-todo::"
            "X1: 100%25 wrong%0D%0Asecond line, with: punctuation"
        )
    ]


def test_annotation_location_properties() -> None:
    findings = (
        Finding(file="a.py", message="file only"),
        Finding(file="a.py", line=7, message="file and line"),
        Finding(line=7, col=2, message="no file: no location"),
        Finding(file="a.py", line=2, col=9, message="a warning", severity=Severity.WARNING),
        Finding(file="a.py", line=3, message="a note", severity=Severity.NOTE),
    )
    result = StepResult(step="pyright", status=Status.FAIL, findings=findings)
    assert github_annotations(gate_of(result)) == [
        "::error file=a.py,title=qualitykit pyright::file only",
        "::error file=a.py,line=7,title=qualitykit pyright::file and line",
        "::error title=qualitykit pyright::no file: no location",
        "::warning file=a.py,line=2,col=9,title=qualitykit pyright::a warning",
        "::warning file=a.py,line=3,title=qualitykit pyright::a note",
    ]


# --- plain text --------------------------------------------------------------------------------


def test_render_text_lists_findings_and_the_verdict() -> None:
    findings = tuple(Finding(file="a.py", line=n, code="E1", message="bad") for n in range(1, 13))
    result = StepResult(
        step="ruff-lint",
        status=Status.FAIL,
        summary="1 files, 12 findings",
        findings=findings,
        log_path=".qualitykit/logs/ruff-lint.log",
    )
    text = render_text(gate_of(passed("mypy"), result))
    assert "  a.py:10: E1 bad" in text
    assert "  a.py:11: E1 bad" not in text
    assert "… and 2 more (qualitykit check ruff-lint --json)" in text
    assert "log: .qualitykit/logs/ruff-lint.log" in text
    assert text.rstrip().endswith("gate failed: ruff-lint")


def test_render_text_of_a_passing_gate() -> None:
    text = render_text(gate_of(passed("mypy", cached=True), duration_s=1.25))
    assert "3 files, 0 findings (cached)" in text
    assert text.rstrip().endswith("gate passed: 1 steps, 1.25s")


# --- publish: files, job summary, annotations (in a child process with its own environment) ----

PUBLISH = """\
import sys
from pathlib import Path

from qualitykit.results import GateResult
from qualitykit.summary import publish

publish(GateResult.model_validate_json(Path(sys.argv[1]).read_text()), Path(sys.argv[2]))
"""


def publish_in_child(
    gate: GateResult, state_dir: Path, github: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    state_dir.parent.mkdir(parents=True, exist_ok=True)
    gate_file = state_dir.parent / "gate.json"
    gate_file.write_text(gate.model_dump_json(), encoding="utf-8")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"}
    }
    return subprocess.run(
        [sys.executable, "-c", PUBLISH, str(gate_file), str(state_dir)],
        env={**env, **github},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


def test_publish_writes_summary_files(tmp_path: Path) -> None:
    state_dir = tmp_path / "project" / ".qualitykit"
    state_dir.mkdir(parents=True)
    (state_dir / "summary.json").write_text("stale", encoding="utf-8")
    gate = gate_of(passed("ruff-format"), LINT_FAIL)
    run = publish_in_child(gate, state_dir, {})
    assert run.stdout == ""  # no annotations outside GitHub Actions
    assert GateResult.model_validate_json((state_dir / "summary.json").read_text()) == gate
    assert (state_dir / "summary.md").read_text(encoding="utf-8") == markdown(gate)
    # Atomic writes leave no temporary file behind.
    assert sorted(path.name for path in state_dir.iterdir()) == ["summary.json", "summary.md"]


def test_publish_under_github_actions(tmp_path: Path) -> None:
    state_dir = tmp_path / "project" / ".qualitykit"
    job_summary = tmp_path / "step_summary.md"
    job_summary.write_text("# earlier step\n", encoding="utf-8")
    gate = gate_of(passed("ruff-format"), LINT_FAIL, MYPY_ERROR)
    run = publish_in_child(
        gate,
        state_dir,
        {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(job_summary)},
    )
    # Appended, never overwritten: other steps of the job write there too.
    assert job_summary.read_text(encoding="utf-8") == "# earlier step\n" + markdown(gate)
    assert run.stdout.splitlines() == github_annotations(gate)
    assert run.stdout.startswith("::error file=src/pkg/a.py,line=1,col=8,")
    assert (state_dir / "summary.md").is_file()

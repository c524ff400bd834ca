"""Pinned: a JUnit report left by an earlier run never stands in for this run."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from qualitykit.config import Config
from qualitykit.results import Status
from qualitykit.runner import execute
from qualitykit.steps import builtin_steps
from qualitykit.steps.base import StepContext
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

PASSING_REPORT = (
    '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0"'
    ' failures="0" skipped="0" tests="1"><testcase classname="t" name="test_ok" /></testsuite>'
    "</testsuites>"
)


def test_a_stale_junit_report_never_passes_a_run_that_wrote_none(tmp_path: Path) -> None:
    """The suite deletes its report before the run; a run that writes none is an error.

    Pinned because the report, not pytest's console output, decides the step: if pytest dies
    before writing (OOM kill inside a plugin, a crash at exit that still returns 0), a passing
    report from yesterday would otherwise turn a broken run into a PASS. The tool here is a
    stand-in process that exits 0 and writes nothing: exactly that situation.
    """
    test_file = tmp_path / "tests" / "regression" / "test_ok.py"
    test_file.parent.mkdir(parents=True)
    test_file.write_text("def test_ok() -> None:\n    pass\n", encoding="utf-8")
    workspace = Workspace(root=tmp_path, config=Config())
    step = builtin_steps(workspace.config)["regression"]
    ctx = StepContext(workspace, step.name, workspace.config.settings(step.name))
    report = tmp_path / ".qualitykit" / "junit" / "regression.xml"
    report.parent.mkdir(parents=True)
    report.write_text(PASSING_REPORT, encoding="utf-8")

    result = execute(step, ctx, [sys.executable, "-c", "pass"], None)

    assert result.status is Status.ERROR
    assert result.exit_code == 0
    assert "wrote no JUnit report" in result.summary
    assert not report.exists()

"""Bugs found while writing the unit tests, one test each (red before the fix, green after)."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pytest

from qualitykit.config import Config, parse_config
from qualitykit.errors import ConfigError
from qualitykit.results import Finding, GateResult, Status, StepResult
from qualitykit.steps.base import Completed, StepContext
from qualitykit.steps.mypy import Mypy
from qualitykit.summary import markdown
from qualitykit.workspace import Workspace

if TYPE_CHECKING:
    from pathlib import Path

# Recorded from mypy 2.4.1 (`mypy --strict -O json ...`, exit code 1) on clean code holding a
# leftover `reveal_type(double(2))`: its only output line is a note (then the mypy adapter's
# line naming the sources mypy checked).
MYPY_NOTE_ONLY = (
    '{"file": "src/pkg/probe.py", "line": 7, "column": 12, "end_line": 7, "end_column": 21,'
    ' "message": "Revealed type is \\"int\\"", "hint": null, "code": "misc", "severity": "note"}\n'
    '{"qualitykit_sources": ["src/pkg/probe.py"]}\n'
)


def test_mypy_json_exit_1_on_notes_alone_is_a_pass(tmp_path: Path) -> None:
    """mypy ``-O json`` exits 1 when its only output is notes; that is not a tool failure.

    mypy counts notes by looking for ": note:" in its text format, so in JSON mode a note-only
    run exits 1 (the same run in text mode exits 0 with "Success"). The parser demanded exit 1
    exactly when there were errors and reported the step as an *error* ("mypy exited 1 with
    0 errors"), blaming the tool for a leftover reveal_type(). Errors still need exit 1 and
    silence still needs exit 0.
    """
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "probe.py").touch()
    ctx = StepContext(Workspace(root=tmp_path, config=Config()), "mypy", Config().settings("mypy"))
    outcome = Mypy().parse(Completed(("mypy",), 1, MYPY_NOTE_ONLY, ""), ctx)
    assert outcome.status is Status.PASS
    assert outcome.findings == ()
    assert outcome.counts.files == 1


def test_selecting_files_raises_no_deprecation_warning(tmp_path: Path) -> None:
    """Workspace.select (every step's cache inputs) must not warn with the locked pathspec.

    pathspec 1.x deprecated the "gitwildmatch" pattern factory; under ``-W error`` (this
    project's pytest configuration, and any user's test suite that calls the API) every step's
    cache key raised DeprecationWarning, so each API call and gate run in tests crashed.
    """
    for name in ("pyproject.toml", "a/pyproject.toml", "a/b.py", ".github/workflows/ci.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).touch()
    workspace = Workspace(root=tmp_path, config=Config())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        selected = workspace.select(("/pyproject.toml", "*.py", ".github/workflows/*.yml"))
    assert selected == [".github/workflows/ci.yml", "a/b.py", "pyproject.toml"]


def test_invalid_step_name_error_names_the_table() -> None:
    """A bad step name in [tool.qualitykit.steps] is reported at that name, in TOML terms.

    pydantic locates a failing dict key as ``(..., name, "[key]")``; the message read
    ``[tool.qualitykit.steps.Bad_Name.[key]]``, a table that cannot exist in any TOML file.
    """
    with pytest.raises(ConfigError) as caught:
        parse_config({"steps": {"Bad_Name": {}}}, "pyproject.toml")
    assert str(caught.value).startswith("pyproject.toml: [tool.qualitykit.steps.Bad_Name]: ")


def test_job_summary_keeps_multi_line_findings_inside_their_list_item() -> None:
    """Each finding is one Markdown list item, each step one table row, whatever the text.

    A command step's finding is the tail of its output, blank lines included; written as is,
    a blank line ended the list item mid-code-span and the rest of the output rendered as loose
    Markdown (headings, lists) in the GitHub job summary. Pyright's messages span lines too.
    """
    finding = Finding(message="1 failed\n\n# not a heading\n- not an item")
    result = StepResult(
        step="no-todo", status=Status.FAIL, summary="exit code 1\nmore", findings=(finding,)
    )
    lines = markdown(GateResult(steps=(result,), duration_s=0.0)).splitlines()
    assert lines[4] == "| no-todo | fail | exit code 1 more | 0.00 |"
    assert lines[-1] == "- `1 failed  # not a heading - not an item`"
    assert len(lines) == 9

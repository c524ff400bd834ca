"""Every step's parser on recorded real tool outputs (tests/unit/fixtures, see record.py).

The recordings hold the fake root ``/project``; each test maps it onto its own tmp_path and
recreates the sample's file names there, so paths become relative to the root and file counts
are what they were when the output was recorded.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qualitykit.config import Config
from qualitykit.errors import ToolOutputError
from qualitykit.results import Counts, Finding, Severity, Status
from qualitykit.steps import builtin_steps
from qualitykit.steps.base import Completed, Outcome, Step, StepContext
from qualitykit.steps.pytest import PytestSuite, parse_junit
from qualitykit.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"
FAKE_ROOT = "/project"
MANIFEST: dict[str, dict[str, Any]] = json.loads(
    (FIXTURES / "manifest.json").read_text(encoding="utf-8")
)
BAD_PY = "src/pkg/bad.py"
BAD_WORKFLOW = ".github/workflows/bad.yml"
MIXED_TESTS = "tests/regression/test_mixed.py"


@dataclass(frozen=True)
class Recording:
    """One recorded run, replayed against a tmp project with the sample's file names."""

    step: Step
    ctx: StepContext
    argv: tuple[str, ...]
    returncode: int
    output: str

    def completed(self, *, returncode: int | None = None, stdout: str | None = None) -> Completed:
        """The recorded run as the parser sees it, optionally with another exit code or stdout."""
        code = self.returncode if returncode is None else returncode
        return Completed(self.argv, code, self.output if stdout is None else stdout, "")

    def parse(self, *, returncode: int | None = None, stdout: str | None = None) -> Outcome:
        return self.step.parse(self.completed(returncode=returncode, stdout=stdout), self.ctx)


def replay(name: str, root: Path) -> Recording:
    """Load recording ``name`` and lay out its sample's files (empty) under ``root``."""
    entry = MANIFEST[name]
    for file_name in entry["files"]:
        path = root / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    workspace = Workspace(root=root, config=Config())
    step = builtin_steps(workspace.config)[entry["step"]]
    ctx = StepContext(workspace, step.name, workspace.config.settings(step.name))
    text = (FIXTURES / entry["output"]).read_text(encoding="utf-8")
    text = text.replace(f"{FAKE_ROOT}/", f"{root}/")
    argv = tuple(part.replace(f"{FAKE_ROOT}/", f"{root}/") for part in entry["argv"])
    return Recording(step, ctx, argv, entry["exit_code"], text)


def place(finding: Finding) -> tuple[str | None, int | None, int | None, str | None]:
    return (finding.file, finding.line, finding.col, finding.code)


def test_manifest_matches_the_recorded_files() -> None:
    recorded = {path.name for path in FIXTURES.iterdir() if path.suffix in {".out", ".xml"}}
    assert recorded == {entry["output"] for entry in MANIFEST.values()}


# --- ruff --------------------------------------------------------------------------------------


def test_ruff_lint_findings(tmp_path: Path) -> None:
    outcome = replay("ruff-lint-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    assert [place(finding) for finding in outcome.findings] == [
        (BAD_PY, 1, 8, "F401"),
        (BAD_PY, 13, 1, "F821"),
        (BAD_PY, 14, 1, "B018"),
    ]
    assert outcome.findings[0].message == "`os` imported but unused"
    assert outcome.findings[1].message == "Undefined name `reveal_type`"
    assert all(finding.severity is Severity.ERROR for finding in outcome.findings)
    # Python files anywhere in the sample: src/pkg/__init__.py, src/pkg/bad.py, one test file.
    assert outcome.counts == Counts(files=3, findings=3)
    assert outcome.summary == "3 files, 3 findings"


def test_ruff_lint_clean(tmp_path: Path) -> None:
    outcome = replay("ruff-lint-good", tmp_path).parse()
    assert outcome.status is Status.PASS
    assert outcome.findings == ()
    assert outcome.counts == Counts(files=3, findings=0)


def test_ruff_format_findings(tmp_path: Path) -> None:
    outcome = replay("ruff-format-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    assert [place(finding) for finding in outcome.findings] == [(BAD_PY, 9, 12, "unformatted")]
    assert outcome.findings[0].message == "File would be reformatted"
    assert outcome.counts == Counts(files=3, findings=1)


def test_ruff_format_clean(tmp_path: Path) -> None:
    outcome = replay("ruff-format-good", tmp_path).parse()
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=3, findings=0)


def test_ruff_keeps_a_path_outside_the_root_absolute(tmp_path: Path) -> None:
    recording = replay("ruff-lint-bad", tmp_path / "root")
    elsewhere = recording.output.replace(f"{tmp_path}/root/", "/elsewhere/")
    outcome = recording.parse(stdout=elsewhere)
    assert {finding.file for finding in outcome.findings} == {"/elsewhere/src/pkg/bad.py"}


def test_ruff_default_message_when_ruff_gives_none(tmp_path: Path) -> None:
    recording = replay("ruff-format-bad", tmp_path)
    document = json.loads(recording.output)
    document["diagnostics"][0]["message"] = None
    outcome = recording.parse(stdout=json.dumps(document))
    assert outcome.findings[0].message == "would be reformatted (run: ruff format)"


# --- mypy --------------------------------------------------------------------------------------


def test_mypy_errors_with_one_based_columns_and_hints(tmp_path: Path) -> None:
    outcome = replay("mypy-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    # The "Revealed type" note is not a finding; mypy's 0-based columns become 1-based.
    assert [place(finding) for finding in outcome.findings] == [
        (BAD_PY, 8, 1, "no-untyped-def"),
        (BAD_PY, 12, 15, "assignment"),
        (BAD_PY, 17, 1, "no-untyped-def"),
    ]
    assert outcome.findings[1].message == (
        'Incompatible types in assignment (expression has type "int", variable has type "str")'
    )
    assert outcome.findings[2].message == (
        'Function is missing a return type annotation (Use "-> None" if function does not'
        " return a value)"
    )
    assert outcome.counts == Counts(files=2, findings=3)


def test_mypy_clean(tmp_path: Path) -> None:
    recording = replay("mypy-good", tmp_path)
    assert recording.output.splitlines() == [
        '{"qualitykit_sources": ["src/pkg/__init__.py", "src/pkg/good.py"]}'
    ]
    outcome = recording.parse()
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=2, findings=0)


def test_mypy_notes_alone_exit_1_and_pass(tmp_path: Path) -> None:
    recording = replay("mypy-notes", tmp_path)
    assert recording.returncode == 1  # mypy -O json's own exit code for a note-only run
    outcome = recording.parse()
    assert outcome.status is Status.PASS
    assert outcome.findings == ()
    assert outcome.counts == Counts(files=3, findings=0)


# --- pyright -----------------------------------------------------------------------------------


def test_pyright_diagnostics_and_severities(tmp_path: Path) -> None:
    outcome = replay("pyright-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    assert [(place(finding), finding.severity) for finding in outcome.findings] == [
        ((BAD_PY, 12, 15, "reportAssignmentType"), Severity.ERROR),
        ((BAD_PY, 13, 13, None), Severity.NOTE),
        ((BAD_PY, 14, 1, "reportUnusedExpression"), Severity.WARNING),
    ]
    assert outcome.findings[0].message.startswith('Type "int" is not assignable to declared type')
    # Only errors count as findings; the file count is pyright's own filesAnalyzed.
    assert outcome.counts == Counts(files=2, findings=1)


def test_pyright_clean(tmp_path: Path) -> None:
    outcome = replay("pyright-good", tmp_path).parse()
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=2, findings=0)


def test_pyright_zero_files_analysed_is_an_error(tmp_path: Path) -> None:
    recording = replay("pyright-good", tmp_path)
    document = json.loads(recording.output)
    document["summary"]["filesAnalyzed"] = 0
    with pytest.raises(ToolOutputError, match="checked 0 files: pyright's own configuration"):
        recording.parse(stdout=json.dumps(document))


# --- vulture -----------------------------------------------------------------------------------


def test_vulture_items(tmp_path: Path) -> None:
    outcome = replay("vulture-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    assert [place(finding) for finding in outcome.findings] == [
        (BAD_PY, 1, None, "unused-import"),
        (BAD_PY, 8, None, "unused-function"),
        (BAD_PY, 17, None, "unused-function"),
    ]
    assert outcome.findings[0].message == "unused import 'os' (90% confidence)"
    assert outcome.findings[1].message == "unused function 'unused_helper' (60% confidence)"
    assert outcome.counts == Counts(files=2, findings=3)


def test_vulture_clean(tmp_path: Path) -> None:
    outcome = replay("vulture-good", tmp_path).parse()
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=2, findings=0)


# --- makefile ----------------------------------------------------------------------------------


def test_makefile_format_and_parse_findings(tmp_path: Path) -> None:
    outcome = replay("makefile-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    assert [place(finding) for finding in outcome.findings] == [
        ("Makefile", None, None, "mbake-format"),
        ("Makefile", 2, None, "make-parse"),
    ]
    assert outcome.findings[1].message == "missing separator.  Stop."
    assert outcome.counts == Counts(files=1, findings=2)


def test_makefile_clean(tmp_path: Path) -> None:
    outcome = replay("makefile-good", tmp_path).parse()
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=1, findings=0)


# --- actionlint and zizmor ---------------------------------------------------------------------


def test_actionlint_errors(tmp_path: Path) -> None:
    outcome = replay("actionlint-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    assert [place(finding) for finding in outcome.findings] == [
        (BAD_WORKFLOW, 11, 24, "expression")
    ]
    assert outcome.findings[0].message.startswith(
        '"github.event.issue.title" is potentially untrusted'
    )
    assert outcome.counts == Counts(files=1, findings=1)


@pytest.mark.parametrize("stdout", ["[]\n", "", "null\n"], ids=["recorded", "empty", "null"])
def test_actionlint_nothing_to_report_is_a_pass(tmp_path: Path, stdout: str) -> None:
    recording = replay("actionlint-good", tmp_path)
    assert recording.output == "[]\n"
    outcome = recording.parse(stdout=stdout)
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=1, findings=0)


def test_zizmor_finding_at_its_primary_location(tmp_path: Path) -> None:
    outcome = replay("zizmor-bad", tmp_path).parse()
    assert outcome.status is Status.FAIL
    # The first location is a "Hidden" one; the finding is placed at the "Primary" one, and
    # zizmor's 0-based row/column become 1-based.
    assert [place(finding) for finding in outcome.findings] == [
        (BAD_WORKFLOW, 11, 24, "template-injection")
    ]
    assert outcome.findings[0].message == (
        "code injection via template expansion: may expand into attacker-controllable code"
        " (High severity)"
    )
    assert outcome.counts == Counts(files=1, findings=1)


def test_zizmor_skips_ignored_findings(tmp_path: Path) -> None:
    recording = replay("zizmor-bad", tmp_path)
    entries = json.loads(recording.output)
    entries[0]["ignored"] = True
    outcome = recording.parse(stdout=json.dumps(entries))
    assert outcome.status is Status.PASS


def test_zizmor_clean(tmp_path: Path) -> None:
    outcome = replay("zizmor-good", tmp_path).parse()
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=1, findings=0)


# --- output that must never pass ---------------------------------------------------------------

JSON_RECORDINGS = (
    "ruff-lint-bad",
    "ruff-format-bad",
    "mypy-bad",
    "pyright-bad",
    "vulture-bad",
    "makefile-bad",
    "actionlint-bad",
    "zizmor-bad",
)


@pytest.mark.parametrize("name", JSON_RECORDINGS)
def test_garbage_output_is_a_tool_error(tmp_path: Path, name: str) -> None:
    recording = replay(name, tmp_path)
    with pytest.raises(ToolOutputError, match="does not parse"):
        recording.parse(stdout="Traceback (most recent call last):\n  boom\n")


@pytest.mark.parametrize("name", JSON_RECORDINGS)
def test_truncated_output_is_a_tool_error(tmp_path: Path, name: str) -> None:
    recording = replay(name, tmp_path)
    with pytest.raises(ToolOutputError):
        recording.parse(stdout=recording.output[: len(recording.output) // 2])


@pytest.mark.parametrize(
    ("name", "returncode"),
    [
        # Findings, but the tool said "clean".
        ("ruff-lint-bad", 0),
        ("ruff-format-bad", 0),
        ("mypy-bad", 0),
        ("pyright-bad", 0),
        ("actionlint-bad", 0),
        # No findings, but the tool said "problems".
        ("ruff-lint-good", 1),
        ("ruff-format-good", 1),
        ("mypy-good", 1),
        ("pyright-good", 1),
        ("actionlint-good", 1),
        # Exit codes the tools (or our adapters) do not use for a finished check.
        ("ruff-lint-good", 2),
        ("mypy-good", 2),
        ("pyright-good", 3),
        ("vulture-good", 1),
        ("makefile-good", 2),
        ("zizmor-good", 1),
        ("zizmor-bad", 14),
    ],
)
def test_exit_code_inconsistent_with_output_is_a_tool_error(
    tmp_path: Path, name: str, returncode: int
) -> None:
    recording = replay(name, tmp_path)
    assert returncode != recording.returncode
    with pytest.raises(ToolOutputError, match=rf"(exit code|exited) {returncode}\b"):
        recording.parse(returncode=returncode)


def test_mypy_notes_without_any_exit_1_output_line_is_an_error(tmp_path: Path) -> None:
    recording = replay("mypy-notes", tmp_path)
    sources_only = recording.output.splitlines()[-1]
    with pytest.raises(ToolOutputError, match="exited 1 with 0 errors"):
        recording.parse(stdout=sources_only)


def test_mypy_without_the_adapters_sources_line_is_an_error(tmp_path: Path) -> None:
    """Diagnostics alone do not prove mypy read the files (a crash mid-run prints some)."""
    recording = replay("mypy-bad", tmp_path)
    diagnostics = "\n".join(recording.output.splitlines()[:-1])
    with pytest.raises(ToolOutputError, match="no sources line"):
        recording.parse(stdout=diagnostics)


def _emptied(document: dict[str, Any], key: str) -> str:
    return json.dumps({**document, key: []})


@pytest.mark.parametrize(
    ("name", "tool"),
    [
        ("ruff-lint-good", "ruff"),
        ("ruff-format-good", "ruff"),
        ("vulture-good", "vulture"),
        ("makefile-good", "the makefile check"),
    ],
)
def test_a_tool_that_checked_0_files_is_an_error(tmp_path: Path, name: str, tool: str) -> None:
    """The count comes from the tool's own output, not from the list of files we gave it."""
    recording = replay(name, tmp_path)
    stdout = _emptied(json.loads(recording.output), "files")
    with pytest.raises(ToolOutputError, match=f"checked 0 files: {tool}'s own configuration"):
        recording.parse(stdout=stdout)


def test_mypy_that_checked_0_files_is_an_error(tmp_path: Path) -> None:
    recording = replay("mypy-good", tmp_path)
    with pytest.raises(ToolOutputError, match="checked 0 files: mypy's own configuration"):
        recording.parse(stdout='{"qualitykit_sources": []}\n')


# --- pytest: the JUnit report ------------------------------------------------------------------


def junit_text(name: str) -> str:
    return (FIXTURES / str(MANIFEST[name]["output"])).read_text(encoding="utf-8")


def test_parse_junit_counts_failures_errors_and_skips() -> None:
    totals = parse_junit(junit_text("junit-mixed"))
    assert (totals.tests, totals.failures, totals.errors, totals.skipped) == (4, 1, 1, 1)
    assert [place(finding) for finding in totals.failed_cases] == [
        (MIXED_TESTS, 13, None, "failure"),  # xunit1 "line" is 0-based
        (MIXED_TESTS, 17, None, "error"),
    ]
    assert totals.failed_cases[0].message == (
        "tests.regression.test_mixed::test_fails: AssertionError: arithmetic is off\n"
        "assert (1 + 1) == 3"
    )
    assert totals.failed_cases[1].message == (
        'tests.regression.test_mixed::test_errors: failed on setup with "RuntimeError:'
        ' fixture exploded"'
    )


def test_parse_junit_all_passed() -> None:
    totals = parse_junit(junit_text("junit-good"))
    assert (totals.tests, totals.failures, totals.errors, totals.skipped) == (1, 0, 0, 0)
    assert totals.failed_cases == ()


def test_parse_junit_single_testsuite_root() -> None:
    suite = ET.fromstring(junit_text("junit-mixed")).find("testsuite")  # noqa: S314 - our fixture
    assert suite is not None
    totals = parse_junit(ET.tostring(suite, encoding="unicode"))
    assert (totals.tests, totals.failures, totals.errors, totals.skipped) == (4, 1, 1, 1)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "does not parse"),
        ("<testsuites><testsuite tests='1'>", "does not parse"),
        ("<html><body>502</body></html>", "no testsuite"),
        ("<testsuites/>", "no testsuite"),
        ("<testsuite tests='many' failures='0' errors='0' skipped='0'/>", "not a number"),
    ],
)
def test_parse_junit_rejects_what_is_not_a_report(text: str, match: str) -> None:
    with pytest.raises(ToolOutputError, match=match):
        parse_junit(text)


def suite_with_report(root: Path, name: str | None) -> tuple[PytestSuite, StepContext]:
    """The regression step on ``root`` with recording ``name`` as this run's JUnit report."""
    files = MANIFEST[name or "junit-good"]["files"]
    for file_name in files:
        (root / file_name).parent.mkdir(parents=True, exist_ok=True)
        (root / file_name).touch()
    workspace = Workspace(root=root, config=Config())
    step = builtin_steps(workspace.config)["regression"]
    assert isinstance(step, PytestSuite)
    ctx = StepContext(workspace, step.name, workspace.config.settings(step.name))
    step.prepare(ctx)
    if name is not None:
        Path(step.junit_path(ctx)).write_text(junit_text(name), encoding="utf-8")
    return step, ctx


def run_of(step: PytestSuite, ctx: StepContext, returncode: int) -> Completed:
    return Completed(tuple(step.command(ctx)), returncode, "", "")


def test_pytest_step_fail(tmp_path: Path) -> None:
    step, ctx = suite_with_report(tmp_path, "junit-mixed")
    outcome = step.parse(run_of(step, ctx, MANIFEST["junit-mixed"]["exit_code"]), ctx)
    assert outcome.status is Status.FAIL
    assert outcome.counts == Counts(files=1, findings=2, tests=4, failures=1, errors=1, skipped=1)
    assert outcome.summary == "4 tests, 2 failed, 1 skipped"
    assert [finding.code for finding in outcome.findings] == ["failure", "error"]


def test_pytest_step_pass(tmp_path: Path) -> None:
    step, ctx = suite_with_report(tmp_path, "junit-good")
    outcome = step.parse(run_of(step, ctx, MANIFEST["junit-good"]["exit_code"]), ctx)
    assert outcome.status is Status.PASS
    assert outcome.counts == Counts(files=1, findings=0, tests=1, failures=0, errors=0, skipped=0)
    assert outcome.summary == "1 tests"


def test_pytest_step_missing_report_is_an_error(tmp_path: Path) -> None:
    step, ctx = suite_with_report(tmp_path, None)
    with pytest.raises(ToolOutputError, match="wrote no JUnit report"):
        step.parse(run_of(step, ctx, 0), ctx)


def test_pytest_step_no_tests_collected_is_an_error(tmp_path: Path) -> None:
    step, ctx = suite_with_report(tmp_path, "junit-none")
    assert MANIFEST["junit-none"]["exit_code"] == 5
    with pytest.raises(ToolOutputError, match="no tests collected"):
        step.parse(run_of(step, ctx, 5), ctx)


def test_pytest_step_zero_tests_in_report_is_an_error(tmp_path: Path) -> None:
    step, ctx = suite_with_report(tmp_path, "junit-none")
    with pytest.raises(ToolOutputError, match="records 0 tests"):
        step.parse(run_of(step, ctx, 0), ctx)


@pytest.mark.parametrize(("name", "returncode"), [("junit-mixed", 0), ("junit-good", 1)])
def test_pytest_step_exit_code_must_match_the_report(
    tmp_path: Path, name: str, returncode: int
) -> None:
    step, ctx = suite_with_report(tmp_path, name)
    with pytest.raises(ToolOutputError, match="but the JUnit report records"):
        step.parse(run_of(step, ctx, returncode), ctx)


@pytest.mark.parametrize(
    ("returncode", "meaning"),
    [(2, "interrupted"), (3, "internal error"), (4, "usage error"), (7, "unexpected")],
)
def test_pytest_step_abnormal_exit_is_an_error(
    tmp_path: Path, returncode: int, meaning: str
) -> None:
    step, ctx = suite_with_report(tmp_path, "junit-good")
    with pytest.raises(ToolOutputError, match=f"exited {returncode} \\({meaning}\\)"):
        step.parse(run_of(step, ctx, returncode), ctx)

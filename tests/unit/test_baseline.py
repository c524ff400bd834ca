"""The baseline's model, fingerprints and verdicts, on real files in tmp_path."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from qualitykit.baseline.apply import STALE_CODE, apply_entries
from qualitykit.baseline.marks import Marker, SourceLines, entries_for, message_key
from qualitykit.baseline.model import BaselineEntry, BaselineFile
from qualitykit.results import Counts, Finding, Severity, Status, StepResult

if TYPE_CHECKING:
    from pathlib import Path

SOURCE = """\
import os
import os


def f(x):
    print(missing)
    print(missing)
    return x
"""


def _findings() -> list[Finding]:
    return [
        Finding(file="m.py", line=1, code="F401", message="`os` imported but unused"),
        Finding(file="m.py", line=2, code="F811", message="redefinition of unused `os`"),
        Finding(file="m.py", line=6, code="F821", message="undefined name `missing`"),
        Finding(file="m.py", line=7, code="F821", message="undefined name `missing`"),
    ]


def _entries(root: Path, findings: list[Finding], step: str = "ruff-lint") -> list[BaselineEntry]:
    return entries_for(step, findings, SourceLines(root))


def test_entries_name_rule_file_and_code_line(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    entries = _entries(tmp_path, _findings())
    assert [entry.rule for entry in entries] == [
        "ruff-lint:F401",
        "ruff-lint:F811",
        "ruff-lint:F821",
        "ruff-lint:F821",
    ]
    assert [entry.code for entry in entries] == [
        "import os",
        "import os",
        "print(missing)",
        "print(missing)",
    ]
    # The same (rule, file, line text) twice: the occurrence tells them apart.
    assert len({entry.fingerprint for entry in entries}) == 4


def test_occurrences_follow_line_order_not_report_order(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    findings = _findings()
    forward = _entries(tmp_path, findings)
    backward = _entries(tmp_path, findings[::-1])[::-1]
    assert [e.fingerprint for e in forward] == [e.fingerprint for e in backward]


def test_the_line_number_is_not_part_of_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    before = _entries(tmp_path, _findings())
    (tmp_path / "m.py").write_text("# a new first line\n\n" + SOURCE, encoding="utf-8")
    moved = [f.model_copy(update={"line": (f.line or 0) + 2}) for f in _findings()]
    assert [e.fingerprint for e in _entries(tmp_path, moved)] == [e.fingerprint for e in before]


def test_without_a_line_the_message_less_its_digits_is_compared(tmp_path: Path) -> None:
    first = Finding(file="Makefile", message="target `x` defined 2 times", code="dup")
    again = Finding(file="Makefile", message="target `x` defined 3 times", code="dup")
    other = Finding(file="Makefile", message="target `y` defined 2 times", code="dup")
    (a,), (b,), (c,) = (_entries(tmp_path, [f], "makefile") for f in (first, again, other))
    assert a.fingerprint == b.fingerprint != c.fingerprint
    assert a.code == ""
    assert message_key(" a  1 b 22 ") == "a # b #"


def test_an_unreadable_file_falls_back_to_the_message(tmp_path: Path) -> None:
    finding = Finding(file="gone.py", line=3, code="E1", message="boom 7")
    (entry,) = _entries(tmp_path, [finding])
    (no_line,) = _entries(tmp_path, [finding.model_copy(update={"line": None})])
    assert entry.fingerprint == no_line.fingerprint


def test_a_file_that_is_not_utf8_still_has_lines(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_bytes(b"x = '\xff'\ny = 1\r\nz = 2\rq = 3\n")
    lines = SourceLines(tmp_path)
    assert lines.line("m.py", 1) == "x = '\ufffd'"
    assert (lines.line("m.py", 3), lines.line("m.py", 4), lines.line("m.py", 9)) == (
        "z = 2",
        "q = 3",
        None,
    )


def test_the_policy_fingerprint_is_kept(tmp_path: Path) -> None:
    mark = "ab" * 16
    finding = Finding(file="x", line=1, code="QK-1", message="m", fingerprint=mark)
    assert _entries(tmp_path, [finding], "policy")[0].fingerprint == mark


# --- robustness: lines inserted anywhere change no fingerprint ------------------------------

_LINES = st.sampled_from(["import os", "x = 1", "    print(missing)", "def f(x):", "return"])


@settings(max_examples=150, deadline=None)
@given(
    body=st.lists(_LINES, min_size=1, max_size=30),
    data=st.data(),
)
def test_inserted_blank_and_comment_lines_keep_every_fingerprint(
    tmp_path_factory: pytest.TempPathFactory, body: list[str], data: st.DataObject
) -> None:
    """Why: a baseline keyed on line numbers breaks on every edit above a finding."""
    root = tmp_path_factory.mktemp("insert")
    flagged = data.draw(st.sets(st.integers(1, len(body)), min_size=1), label="flagged lines")
    findings = [Finding(file="m.py", line=n, code="R1", message="m") for n in sorted(flagged)]
    (root / "m.py").write_text("\n".join(body) + "\n", encoding="utf-8")
    before = [e.fingerprint for e in _entries(root, findings)]
    # Insertion points (before line i, 1-based; len+1 = at the end) and what is inserted.
    points = data.draw(st.lists(st.integers(1, len(body) + 1), max_size=20), label="points")
    inserted = st.sampled_from(["", "   ", "# note", "    # indented note"])
    new_lines: list[str] = []
    moved: dict[int, int] = {}
    for number, text in enumerate([*body, None], start=1):
        new_lines.extend(data.draw(inserted) for _ in range(points.count(number)))
        if text is not None:
            new_lines.append(text)
            moved[number] = len(new_lines)
    (root / "m.py").write_text("\n".join(new_lines) + "\n", encoding="utf-8")
    shifted = [f.model_copy(update={"line": moved[f.line or 0]}) for f in findings]
    assert [e.fingerprint for e in _entries(root, shifted)] == before


# --- the model -------------------------------------------------------------------------------


def _entry(mark: str, file: str = "a.py", rule: str = "ruff-lint:F401") -> BaselineEntry:
    return BaselineEntry(fingerprint=mark, rule=rule, file=file, code="import os", message="m")


def test_the_file_is_sorted_and_byte_for_byte_deterministic() -> None:
    a, b, c = _entry("a" * 32, "b.py"), _entry("b" * 32, "a.py"), _entry("c" * 32, "c.py")
    one = BaselineFile.build({"mypy": [c], "ruff-lint": [a, b]})
    two = BaselineFile.build({"ruff-lint": [b, a, a], "mypy": [c], "vulture": []})
    assert one.to_json() == two.to_json()
    data = json.loads(one.to_json())
    assert list(data["steps"]) == ["mypy", "ruff-lint"]
    assert [e["file"] for e in data["steps"]["ruff-lint"]] == ["a.py", "b.py"]
    assert one.to_json().endswith("}\n")
    assert BaselineFile.model_validate_json(one.to_json()) == one


@pytest.mark.parametrize(
    "data",
    [
        {"version": 2, "steps": {}},
        {"steps": {"mypy": [{"fingerprint": "x"}]}},
        {"steps": {"mypy": [{**_entry("a" * 32).model_dump(), "fingerprint": "XYZ"}]}},
        {"steps": {"mypy": [_entry("a" * 32).model_dump(), _entry("a" * 32).model_dump()]}},
        {"steps": {"Not A Step": []}},
        {"steps": [], "extra": 1},
    ],
    ids=["version", "shape", "fingerprint", "twice", "step-name", "extra"],
)
def test_a_malformed_file_is_refused(data: object) -> None:
    with pytest.raises(ValidationError):
        BaselineFile.model_validate(data)


# --- verdicts --------------------------------------------------------------------------------


def _result(status: Status, findings: list[Finding], step: str = "ruff-lint") -> StepResult:
    counts = Counts(files=1, findings=len(findings))
    return StepResult(
        step=step, status=status, findings=tuple(findings), counts=counts, summary="x"
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "m.py").write_text(SOURCE, encoding="utf-8")
    return tmp_path


def test_known_findings_are_removed_and_counted(project: Path) -> None:
    findings = _findings()
    entries = tuple(_entries(project, findings[:3]))
    judged = apply_entries(_result(Status.FAIL, findings), entries, Marker(project, ()))
    assert judged.status is Status.FAIL
    assert judged.findings == (findings[3],)
    assert (judged.counts.findings, judged.counts.baseline, judged.counts.baselined) == (1, 3, 3)
    assert judged.summary == "1 files, 1 findings, 3 of 3 baselined"


def test_a_failure_by_known_findings_alone_passes(project: Path) -> None:
    findings = _findings()
    entries = tuple(_entries(project, findings))
    judged = apply_entries(_result(Status.FAIL, findings), entries, Marker(project, ()))
    assert (judged.status, judged.findings, judged.counts.findings) == (Status.PASS, (), 0)


def test_a_stale_entry_fails_a_passing_step(project: Path) -> None:
    entries = tuple(_entries(project, _findings()[:1]))
    judged = apply_entries(_result(Status.PASS, []), entries, Marker(project, ()))
    assert judged.status is Status.FAIL
    (stale,) = judged.findings
    assert stale.code == STALE_CODE
    assert stale.file == "m.py"
    assert "ruff-lint:F401" in stale.message
    assert "qualitykit baseline --update" in stale.message


def test_an_error_stays_an_error(project: Path) -> None:
    entries = tuple(_entries(project, _findings()))
    errored = StepResult(step="ruff-lint", status=Status.ERROR, summary="tool not found")
    assert apply_entries(errored, entries, Marker(project, ())) == errored


def test_a_failure_without_error_findings_is_not_turned_into_a_pass(project: Path) -> None:
    warning = Finding(file="m.py", line=1, message="w", severity=Severity.WARNING)
    failed = _result(Status.FAIL, [warning])
    entries = tuple(_entries(project, [warning.model_copy(update={"severity": Severity.ERROR})]))
    assert apply_entries(failed, entries, Marker(project, ())) == failed


def test_warnings_are_never_matched_and_do_not_fail(project: Path) -> None:
    error = _findings()[0]
    warning = _findings()[1].model_copy(update={"severity": Severity.WARNING})
    entries = tuple(_entries(project, [error]))
    judged = apply_entries(_result(Status.FAIL, [error, warning]), entries, Marker(project, ()))
    assert (judged.status, judged.findings) == (Status.PASS, (warning,))


def test_describe_shows_the_baseline_size() -> None:
    assert Counts(files=2, findings=1, baseline=4, baselined=3).describe() == (
        "2 files, 1 findings, 3 of 4 baselined"
    )
    assert Counts(files=2).describe() == "2 files, 0 findings"

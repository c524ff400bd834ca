"""Diff coverage: the changed lines, their coverage, and parity with diff-cover."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from qualitykit.changes import changed_lines
from qualitykit.coverage.diff import compact, diff_coverage

if TYPE_CHECKING:
    from conftest import Repo

DIFF_COVER = str(Path(sys.executable).parent / "diff-cover")

MATHS = '''\
"""Maths."""


def add(a: int, b: int) -> int:
    """Sum."""
    return a + b
'''
MATHS_CHANGED = '''\
"""Maths."""


def add(a: int, b: int) -> int:
    """Sum."""
    total = a + b
    return total


def sub(a: int, b: int) -> int:
    """Difference (untested)."""
    if a < b:
        return -(b - a)
    return a - b
'''
TEXT_NEW = '''\
"""Text helpers, new on the branch."""


def shout(word: str) -> str:
    """Upper case."""
    return word.upper()


def whisper(word: str) -> str:
    """Lower case (untested)."""
    lowered = word.lower()
    return lowered
'''
CORE_CHANGED = '''\
"""A tiny, clean module."""


def double(value: int) -> int:
    """Twice ``value``."""
    if value == 0:
        return 0
    return value * 2
'''
TESTS = """\
from pkg.maths import add
from pkg.text import shout


def test_add() -> None:
    assert add(1, 2) == 3


def test_shout() -> None:
    assert shout("a") == "A"
"""


def branch_with_changes(repo: Repo) -> Repo:
    repo.write("src/pkg/maths.py", MATHS)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.git("checkout", "-qb", "feature")
    repo.write("src/pkg/maths.py", MATHS_CHANGED)
    repo.write("src/pkg/text.py", TEXT_NEW)
    repo.write("src/pkg/core.py", CORE_CHANGED)
    repo.write("tests/test_feature.py", TESTS)
    repo.git("add", "-A")
    repo.git("commit", "-qm", "feature")
    return repo


def measure(repo: Repo) -> Path:
    env = {"PYTHONPATH": "src", "PATH": str(Path(sys.executable).parent)}
    for argv in (
        [
            sys.executable,
            "-m",
            "coverage",
            "run",
            "--branch",
            "--source=src/pkg",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests",
        ],
        [sys.executable, "-m", "coverage", "xml", "-o", "coverage.xml"],
    ):
        done = subprocess.run(
            argv, cwd=repo.root, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
    (repo.root / ".coverage").unlink()
    return repo.root / "coverage.xml"


def test_changed_lines_cover_committed_staged_unstaged_and_untracked(repo: Repo) -> None:
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.write("src/pkg/core.py", CORE_CHANGED)  # unstaged: lines 6-7 added
    repo.write("src/pkg/maths.py", MATHS)  # untracked: every line
    changed = changed_lines(repo.root, "main")
    assert changed["src/pkg/core.py"] == frozenset({6, 7})
    assert changed["src/pkg/maths.py"] == frozenset(range(1, 7))


def test_diff_coverage_agrees_with_diff_cover(repo: Repo) -> None:
    branch_with_changes(repo)
    xml = measure(repo)
    # Untracked by design of this comparison: diff-cover's default diff has no untracked files.
    report = repo.root / "dc.json"
    done = subprocess.run(
        [DIFF_COVER, "coverage.xml", "--compare-branch=main", f"--json-report={report}"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    reference = json.loads(report.read_text())

    ours = diff_coverage(repo.root, "main", xml, None)

    theirs = {
        path: stats
        for path, stats in reference["src_stats"].items()
        if stats.get("violation_lines") is not None
    }
    assert {entry.path for entry in ours.files} == set(theirs)
    for entry in ours.files:
        stats = theirs[entry.path]
        assert list(entry.missed_lines) == sorted(stats["violation_lines"]), entry.path
        assert entry.covered == len(stats["covered_lines"]), entry.path
    assert ours.measured == reference["total_num_lines"]
    assert ours.measured - ours.covered == reference["total_num_violations"]
    assert ours.percent is not None
    assert int(ours.percent) == reference["total_percent_covered"]
    assert len(ours.files) >= 3  # several changed files, some lines missed in each kind
    print(  # the figures, for the record (pytest -s)
        f"parity: {ours.covered}/{ours.measured} lines, {ours.percent:.2f}% "
        f"(diff-cover {reference['total_percent_covered']}%), "
        + ", ".join(f"{e.path} missed {compact(e.missed_lines)}" for e in ours.files)
    )


def test_the_command_reports_and_judges(repo: Repo) -> None:
    branch_with_changes(repo)
    xml = measure(repo)
    run = repo.qualitykit(
        "coverage", "diff", "--base", "main", "--coverage-xml", str(xml), "--json"
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["measured"] > data["covered"] > 0
    strict = repo.qualitykit(
        "coverage", "diff", "--base", "main", "--coverage-xml", str(xml), "--fail-under", "100"
    )
    assert strict.returncode == 1
    assert "src/pkg/maths.py" in strict.stderr


def test_malformed_xml_exits_2_with_one_line(repo: Repo) -> None:
    branch_with_changes(repo)
    (repo.root / "bad.xml").write_text("<coverage><oops")
    run = repo.qualitykit("coverage", "diff", "--base", "main", "--coverage-xml", "bad.xml")
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bad.xml" in lines[0]
    assert "Traceback" not in run.stderr


def test_an_unknown_base_exits_2(repo: Repo) -> None:
    branch_with_changes(repo)
    xml = measure(repo)
    run = repo.qualitykit("coverage", "diff", "--base", "no-such-ref", "--coverage-xml", str(xml))
    assert run.returncode == 2
    assert "no-such-ref" in run.stderr


def test_compact_ranges() -> None:
    assert compact((3, 4, 5, 9, 11, 12)) == "3-5, 9, 11-12"
    assert compact(()) == ""

"""Pinned: ``coverage diff`` rejects bad input and sees every changed file.

Broke: ``--fail-under 150`` (never reachable), ``-5`` and ``nan`` (every comparison false, so
always a pass) were accepted; a Cobertura file of ``<x/>`` gave "no measurable changed line",
exit 0; a changed file with a non-ASCII name was skipped because git quoted its path
(``"src/pkg/caf\\303\\251.py"``), and a Latin-1 source in the diff crashed the UTF-8 decoding.
Each is a silent wrong pass (or a traceback) in a gate whose point is to judge changed lines.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from qualitykit.changes import changed_lines
from qualitykit.commands.coverage_diff import parse_percent
from qualitykit.errors import QualityKitError

if TYPE_CHECKING:
    from conftest import Repo

COBERTURA = """\
<?xml version="1.0" ?>
<coverage version="7" line-rate="1" branch-rate="0" lines-covered="1" lines-valid="1">
  <sources><source>{root}</source></sources>
  <packages><package name="pkg"><classes>
    <class name="core.py" filename="src/pkg/core.py"><lines>
      <line number="6" hits="0"/>
    </lines></class>
  </classes></package></packages>
</coverage>
"""


def _one_error_line(run: object) -> str:
    stderr = getattr(run, "stderr", "")
    assert getattr(run, "returncode", None) == 2, stderr
    assert "Traceback" not in stderr
    lines = str(stderr).strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_an_impossible_fail_under_exits_2(repo: Repo) -> None:
    """A threshold outside 0-100 (or not a number) can never judge anything."""
    run = repo.qualitykit("coverage", "diff", "--base", "main", "--fail-under=nan")
    line = _one_error_line(run)
    assert "--fail-under nan" in line
    for value in ("150", "-5", "nan", "inf", "lots", ""):
        with pytest.raises(QualityKitError, match="not a percentage between 0 and 100"):
            parse_percent(value, "--fail-under")
    assert parse_percent("0", "--fail-under") == 0
    assert parse_percent("100", "--fail-under") == 100


def test_a_file_that_is_not_cobertura_exits_2(repo: Repo) -> None:
    """Well-formed XML of another kind is not an empty coverage report."""
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.write("src/pkg/core.py", "X = 1\n")
    repo.write("x.xml", "<x/>")
    run = repo.qualitykit("coverage", "diff", "--base", "main", "--coverage-xml", "x.xml")
    line = _one_error_line(run)
    assert "x.xml" in line
    assert "not a Cobertura report" in line


def test_non_ascii_names_and_latin1_sources_are_changed_lines(repo: Repo) -> None:
    """A UTF-8 name git would quote, a Latin-1 source, an untracked non-UTF-8 name."""
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.git("checkout", "-qb", "feature")
    repo.write("src/pkg/café.py", "X = 1\nY = 2\n")
    (repo.root / "src/pkg/legacy.py").write_bytes(b"# caf\xe9\nZ = 3\n")
    repo.git("add", "-A")
    repo.git("commit", "-qm", "feature")
    odd = os.fsdecode(b"src/pkg/l\xe9gacy_new.py")  # not UTF-8: a surrogate-escaped str
    (repo.root / odd).write_bytes(b"A = 1\n")

    changed = changed_lines(repo.root, "main")

    assert changed["src/pkg/café.py"] == frozenset({1, 2})
    assert changed["src/pkg/legacy.py"] == frozenset({1, 2})
    assert changed[odd] == frozenset({1})

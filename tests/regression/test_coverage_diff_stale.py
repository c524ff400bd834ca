"""Pinned: diff coverage never judges changed lines with coverage data from before the change.

Broke: ``qualitykit coverage diff --base main`` read ``.qualitykit/coverage/coverage.xml``
whatever its age. After editing a file without re-measuring, it reported "100.00 %, 2/2
lines" for new, untested code: the old XML's line numbers (covered lines of the old file)
were matched against the new file's changed lines. Now the coverage step records the digests
of everything it measured beside the XML; ``coverage diff`` measures again (the step is reused
from the cache when nothing changed) when they differ. An explicit ``--coverage-xml`` (an
external report) cannot be checked that way: the output says so, and a changed file newer than
the report is refused.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo

COVERED = '''

def quadruple(value: int) -> int:
    """Four times ``value``."""
    return double(double(value))
'''
TEST_FEATURE = """\
from pkg.core import quadruple


def test_quadruple() -> None:
    assert quadruple(1) == 4
"""
UNTESTED = '''

def triple(value: int) -> int:
    """Three times ``value`` (untested)."""
    result = value * 3
    return result
'''


def _branch(repo: Repo) -> Repo:
    repo.configure(
        "[tool.qualitykit.coverage]\n"
        'tests = ["tests"]\n'
        "ratchet = false\n"
        "[tool.coverage.run]\n"
        'source = ["src/pkg"]\n'
    )
    repo.git("add", "-A")
    repo.git("commit", "-qm", "base")
    repo.git("checkout", "-qb", "feature")
    repo.write("tests/test_feature.py", TEST_FEATURE)
    core = repo.root / "src/pkg/core.py"
    core.write_text(core.read_text() + COVERED)
    return repo


def _diff(repo: Repo, *args: str) -> tuple[int, dict[str, object], str]:
    run = repo.qualitykit("coverage", "diff", "--base", "main", "--json", *args)
    assert "Traceback" not in run.stderr, run.stderr
    data = json.loads(run.stdout) if run.stdout.strip() else {}
    return run.returncode, data, run.stderr


def test_an_edit_after_measuring_is_measured_before_it_is_judged(repo: Repo) -> None:
    """Measure; unchanged, the data is reused; add untested code: its lines are missed."""
    _branch(repo)
    code, first, _ = _diff(repo, "--fail-under=100")
    assert code == 0, first
    assert first["measured"] == first["covered"] == 2  # quadruple's def and return, both run
    log = repo.root / ".qualitykit/logs/coverage.log"
    measured_at = log.stat().st_mtime_ns
    code, _, stderr = _diff(repo, "--fail-under=100")
    assert code == 0
    assert "measuring" not in stderr  # the recorded digests match: no rerun, not even planned
    assert log.stat().st_mtime_ns == measured_at

    core = repo.root / "src/pkg/core.py"
    core.write_text(core.read_text() + UNTESTED)
    code, second, stderr = _diff(repo, "--fail-under=100")

    assert "src/pkg/core.py changed since it was measured" in stderr
    assert code == 1, second
    files = second["files"]
    assert isinstance(files, list)
    (entry,) = [item for item in files if item["path"] == "src/pkg/core.py"]
    assert entry["missed_lines"] == [16, 17]  # triple's body; its def ran on import
    assert entry["covered"] == 3


def test_an_external_report_says_freshness_is_unchecked_and_refuses_older_data(
    repo: Repo,
) -> None:
    """``--coverage-xml``: a note that freshness is not checked; exit 2 if a source is newer."""
    _branch(repo)
    assert _diff(repo)[0] == 0
    external = repo.root / "external.xml"
    external.write_bytes((repo.root / ".qualitykit/coverage/coverage.xml").read_bytes())
    code, data, stderr = _diff(repo, "--coverage-xml", "external.xml")
    assert code == 0, stderr
    assert "cannot check" in stderr
    assert data["freshness_checked"] is False

    notes = repo.write("NOTES.md", "Not code: it cannot make the report's figures wrong.\n")
    later = external.stat().st_mtime + 10
    os.utime(notes, (later, later))
    assert _diff(repo, "--coverage-xml", "external.xml")[0] == 0

    core = repo.root / "src/pkg/core.py"
    core.write_text(core.read_text() + UNTESTED)
    os.utime(core, (later, later))
    code, data, stderr = _diff(repo, "--coverage-xml", "external.xml")
    assert code == 2
    assert data == {}
    line = stderr.strip().splitlines()[-1]
    assert "src/pkg/core.py" in line
    assert "external.xml" in line
    assert "newer" in line

"""Fixed: a file the suite itself rewrites made its readers rerun on every run.

Broke: a file a test read was recorded with the digest it had when the run was planned. A
test that rewrites what it reads (hypothesis rewrites its ``.hypothesis/unicode_data`` cache
each time a text strategy starts, its bytes new each time) left the file changed by the run
itself, so every next run reran it: on this repository, a test and both coverage reports in
full (4.5 s) added to each one-line edit. A file the suite wrote is now recorded as the suite
left it; a change by anyone else still reruns its readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integration.test_coverage_step import SHAPES
from integration.test_incremental import setup

if TYPE_CHECKING:
    from conftest import Repo

COUNTING = """\
from pathlib import Path

from pkg.shapes import area


def test_area_counting_its_runs() -> None:
    runs = Path(".cache/runs.txt")
    runs.write_text(str(int(runs.read_text()) + 1), encoding="utf-8")
    assert area(2, 2) == 4
"""


def _summary(repo: Repo) -> str:
    """The coverage step's summary (the gate's step cache left out: the file is ignored by
    git, so none of the gate's inputs)."""
    run = repo.gate("--no-cache")
    assert "Traceback" not in run.stderr, run.stderr
    return str(repo.summary()["coverage"]["summary"])


def test_a_file_the_suite_rewrites_reruns_its_readers_only_when_someone_else_does(
    repo: Repo,
) -> None:
    setup(repo)
    repo.write(".gitignore", ".cache/\n")  # as .hypothesis/ is
    repo.write(".cache/runs.txt", "0")
    repo.write("tests/test_counting.py", COUNTING)
    assert "6 tests; full run: no stored per-test data" in _summary(repo)
    repo.write(".cache/runs.txt", "41")
    said = _summary(repo)
    assert "1 of 6 tests: they execute or read .cache/runs.txt" in said, said
    assert (repo.root / ".cache/runs.txt").read_text() == "42"
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    said = _summary(repo)
    assert "1 of 6 tests: they execute or read src/pkg/shapes.py::perimeter" in said, said

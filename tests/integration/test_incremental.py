"""The incremental coverage step on real repositories: what it reruns, and that it equals full.

Every incremental run here is compared with a full run of the same tree (a copy without
``.qualitykit/``): the verdict, the findings and every coverage figure must be the same.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest

from conftest import Repo
from integration.test_coverage_step import SHAPES

if TYPE_CHECKING:
    from pathlib import Path

UNITS = '''\
"""Units."""


def label(value: int) -> str:
    """A value with its unit."""
    return f"{value} cm"
'''
CLI = '''\
"""Run as a module."""

import sys

from pkg.units import label

if __name__ == "__main__":
    sys.stdout.write(label(3) + "\\n")
'''
TESTS = {
    "tests/test_area.py": """\
        from pkg.shapes import area


        def test_area() -> None:
            assert area(2, 3) == 6
        """,
    "tests/test_perimeter.py": """\
        from pkg.shapes import perimeter


        def test_perimeter() -> None:
            assert perimeter(2, 3) == 10
        """,
    "tests/test_data.py": """\
        from pathlib import Path


        def test_expected() -> None:
            assert Path("tests/data/expected.txt").read_text().strip() == "6"
        """,
    "tests/test_cli.py": """\
        import subprocess
        import sys


        def test_cli_in_a_subprocess() -> None:
            done = subprocess.run([sys.executable, "-m", "pkg.cli"], capture_output=True, text=True)
            assert done.stdout == "3 cm\\n"
        """,
}


NEW_TEST = """\
from pkg.shapes import area


def test_zero() -> None:
    assert area(0, 1) == 0
"""


def setup(repo: Repo, incremental: str = "", source: str = '"src/pkg"') -> Repo:
    repo.configure(
        'gate = ["coverage"]\n'
        "[tool.qualitykit.coverage]\n"
        'tests = ["tests"]\n'
        "ratchet = false\n"
        "[tool.qualitykit.incremental]\n"
        "enabled = true\n"
        f"{incremental}\n"
        "[tool.coverage.run]\n"
        f"source = [{source}]\n"
    )
    repo.write("src/pkg/shapes.py", SHAPES)
    repo.write("src/pkg/units.py", UNITS)
    repo.write("src/pkg/cli.py", CLI)
    for name, text in TESTS.items():
        repo.write(name, text)
    repo.write("tests/data/expected.txt", "6\n")
    return repo


def _outcome(root: Path) -> dict[str, Any]:
    summary = json.loads((root / ".qualitykit" / "summary.json").read_text())
    step = summary["steps"][0]
    figures: dict[str, Any] = {"status": step["status"], "findings": step["findings"]}
    report = root / ".qualitykit" / "coverage" / "coverage.json"
    if step["status"] == "pass":
        # The whole reports (a partial run patches the stored ones), but for their time.
        data = json.loads(report.read_text())
        figures["totals"] = data["totals"]
        figures["files"] = data["files"]
        figures["xml"] = xml_elements(report.with_name("coverage.xml"))
    return figures


def xml_elements(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Every element of a Cobertura report with its attributes, the timestamp left out."""
    root = ET.parse(path).getroot()  # noqa: S314 - written by coverage.py in the test
    return [
        (element.tag, {k: v for k, v in element.attrib.items() if k != "timestamp"})
        for element in root.iter()
    ]


def gate(repo: Repo) -> str:
    """Run the incremental gate; compare with a full run of a copy; the step's summary."""
    run = repo.gate()
    assert "Traceback" not in run.stderr, run.stderr
    incremental = _outcome(repo.root)
    copy = Repo(repo.root.parent / "full")
    shutil.rmtree(copy.root, ignore_errors=True)
    shutil.copytree(repo.root, copy.root, ignore=shutil.ignore_patterns(".qualitykit"))
    full = copy.gate()
    assert full.returncode == run.returncode, (run.stderr, full.stderr)
    assert _outcome(copy.root) == incremental
    return str(repo.summary()["coverage"]["summary"])


def step_summary(repo: Repo) -> str:
    """Run the incremental gate alone; the coverage step's summary."""
    run = repo.gate()
    assert "Traceback" not in run.stderr, run.stderr
    return str(repo.summary()["coverage"]["summary"])


def test_three_edits_rerun_the_tests_that_reach_them_and_equal_a_full_run(repo: Repo) -> None:
    """Body edits, a module run by a test's subprocess, a new test: each reruns what it reaches.

    A body edit reruns the tests that executed that function, not the whole file's. When the
    body grows, the kept test's lines below it move with the code: the figures stay a full
    run's. The fast variant of the property test (test_incremental_property.py): figures,
    findings and verdict equal a full run's after every edit.
    """
    setup(repo)
    assert "5 tests; full run: no stored per-test data" in gate(repo)
    shapes = SHAPES.replace("2 * (width + height)", "(width + height) * 2")
    repo.write("src/pkg/shapes.py", shapes)
    assert "1 of 5 tests: they execute or read src/pkg/shapes.py::perimeter" in gate(repo)
    # Two lines more in area(): test_perimeter is kept, its lines two further down.
    grown = "    product = width * height\n    product += 0\n    return product"
    repo.write("src/pkg/shapes.py", shapes.replace("    return width * height", grown))
    assert "1 of 5 tests: they execute or read src/pkg/shapes.py::area" in gate(repo)
    # The subprocess a test starts is measured under that test: its module is traced too.
    repo.write("src/pkg/units.py", UNITS.replace('f"{value} cm"', 'str(value) + " cm"'))
    assert "1 of 5 tests: they execute or read src/pkg/units.py" in gate(repo)
    repo.write("tests/test_more.py", NEW_TEST)
    assert "1 of 6 tests: they execute or read tests/test_more.py" in gate(repo)


def test_a_test_reading_a_data_file_reruns_when_it_changes(repo: Repo) -> None:
    """The test's outcome depends on a file it reads: it reruns (and fails), never a stale pass.

    A failed run keeps no per-test data, so the run after it is a full one.
    """
    setup(repo)
    step_summary(repo)
    repo.write("tests/data/expected.txt", "7\n")
    said = step_summary(repo)
    assert "1 of 5 tests: they execute or read tests/data/expected.txt" in said, said
    assert repo.summary()["coverage"]["status"] == "fail"
    repo.write("tests/data/expected.txt", "6\n")
    assert "full run: no stored per-test data" in step_summary(repo)
    assert repo.summary()["coverage"]["status"] == "pass"


@pytest.mark.slow
def test_untraceable_changes_run_in_full_and_say_why(repo: Repo) -> None:
    """A conftest.py, module-level code that other tests import, an unread new file."""
    setup(repo)
    step_summary(repo)
    repo.write("tests/conftest.py", "import pytest\n")
    assert "full run: tests/conftest.py changed" in step_summary(repo)
    repo.write("src/pkg/shapes.py", SHAPES + "\nSIDES = 4\n")
    said = step_summary(repo)
    assert "full run: module-level code of src/pkg/shapes.py changed" in said, said
    repo.write("tests/data/unused.txt", "x\n")
    said = step_summary(repo)
    assert "full run: tests/data/unused.txt is new and not declared irrelevant" in said, said


@pytest.mark.slow
def test_files_declared_irrelevant_rerun_nothing(repo: Repo) -> None:
    """Only irrelevant files changed: 0 tests, said so, and the stored figures judged."""
    setup(repo, 'irrelevant = ["tests/*.md"]')
    repo.write("tests/README.md", "# Tests\n")
    first = step_summary(repo)
    repo.write("tests/README.md", "# The tests\n")
    said = step_summary(repo)
    assert "0 of 5 tests: only files declared irrelevant changed (tests/README.md)" in said, said
    assert said.split(" ")[0] == first.split(" ")[0]
    assert repo.summary()["coverage"]["status"] == "pass"


def test_a_corrupt_store_is_a_full_run(repo: Repo) -> None:
    """Unreadable per-test data is only a cache: a full run, with the reason, never a crash."""
    setup(repo)
    step_summary(repo)
    store = repo.root / ".qualitykit" / "incremental" / "coverage"
    (store / "data.coverage").write_bytes(b"not sqlite")
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    said = step_summary(repo)
    assert "full run: the stored per-test coverage data is unreadable" in said, said
    (store / "manifest.json").write_text("{", encoding="utf-8")
    repo.write("src/pkg/shapes.py", SHAPES)
    assert "full run: no stored per-test data" in step_summary(repo)


def test_verify_incremental_runs_both_ways_and_finds_them_equal(repo: Repo) -> None:
    """``gate --verify-incremental`` after an edit: the incremental answer is the full one."""
    setup(repo)
    step_summary(repo)
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    run = repo.gate("--verify-incremental")
    assert run.returncode == 0, run.stderr
    assert "the incremental gate equals the full gate (passed, 1 steps)" in run.stderr


def test_a_selection_whose_tests_are_all_gone_runs_in_full(repo: Repo) -> None:
    """A test module edited down to no test: its tests were the selection, and none is left.

    pytest would exit 5 (nothing ran), an error; the runner runs in full instead and says so.
    """
    setup(repo)
    step_summary(repo)
    repo.write("tests/test_perimeter.py", "from pkg.shapes import perimeter\n\nUSED = perimeter\n")
    assert "4 tests; full run: every selected test is gone" in gate(repo)


ONLY_SLOW = """\
from pathlib import Path

import pytest

from pkg.shapes import area

# Outside the project: one line each time pytest imports this module.
with (Path(__file__).resolve().parents[2] / "imports.log").open("a") as log:
    log.write("imported\\n")


@pytest.mark.slow
def test_a_large_area() -> None:
    assert area(1000, 1000) == 1_000_000
"""


def test_a_module_all_of_whose_tests_are_deselected_is_left_out(repo: Repo) -> None:
    """``-m "not slow"`` drops all its tests: partial runs leave it out until it changes."""
    choice = '\n[tool.qualitykit.steps.coverage]\nargs = ["-m", "not slow"]\n'
    setup(repo, choice + '[tool.pytest.ini_options]\nmarkers = ["slow: long"]\n')
    repo.write("tests/test_only_slow.py", ONLY_SLOW)
    log = repo.root.parent / "imports.log"
    assert "5 tests; full run: no stored per-test data" in step_summary(repo)
    assert log.read_text() == "imported\n"
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    assert "1 of 5 tests: they execute or read src/pkg/shapes.py::perimeter" in gate(repo)
    assert log.read_text().count("imported") == 2  # the full run of the copy only
    repo.write("tests/test_only_slow.py", ONLY_SLOW.replace("1_000_000", "10**6"))
    said = step_summary(repo)
    assert log.read_text().count("imported") == 3, said

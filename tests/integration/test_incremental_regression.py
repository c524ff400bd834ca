"""The regression step's incremental selection on real repositories, compared with full runs.

The regression step selects from the coverage step's stored per-test data: an edit reruns the
tests that reach it; a test the stored run never ran (deselected there by a marker) always
runs; anything untraceable is a full run with the reason. Every incremental gate here is
compared with a full gate of a copy of the tree (without ``.qualitykit/``).
"""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING, Any

import pytest

from conftest import Repo
from integration.test_coverage_step import SHAPES
from integration.test_incremental import setup as coverage_setup

if TYPE_CHECKING:
    from pathlib import Path

BOTH = 'gate = ["regression", "coverage"]\nregression = {paths}\n'
SLOW_TEST = """\
import pytest

from pkg.shapes import area


@pytest.mark.slow
def test_negative_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        area(-1, 2)
"""
EXTRA_TEST = """\
from pathlib import Path

from pkg.shapes import perimeter


def test_perimeter_of_the_recorded_side() -> None:
    side = int(Path("checks/data.txt").read_text())
    assert perimeter(side, side) == 8
"""
MARKERS = '[tool.pytest.ini_options]\nmarkers = ["slow: long"]\n'


def setup(repo: Repo, extra: str = "", paths: str = '["tests"]') -> Repo:
    """The coverage step's fixture repository, with the regression step over all the tests."""
    return with_regression(coverage_setup(repo), extra, paths)


def slow_test_failing_after(repo: Repo, test: tuple[str, str], shapes: str) -> list[str]:
    """The coverage step choosing ``-m "not slow"``, the regression step every test; the
    test module ``test`` (name, text) added, a passing gate, then ``src/pkg/shapes.py`` as
    ``shapes`` and a failing gate: the tests the regression step names as failed."""
    setup(repo, '[tool.qualitykit.steps.coverage]\nargs = ["-m", "not slow"]\n' + MARKERS)
    repo.write(*test)
    first = repo.gate()
    assert first.returncode == 0, first.stderr
    repo.write("src/pkg/shapes.py", shapes)
    run = repo.gate()
    result = repo.summary()["regression"]
    assert run.returncode == 1, (run.stderr, result)
    assert result["status"] == "fail", result
    return [item["message"].split(": ")[0] for item in result["findings"]]


def with_regression(repo: Repo, extra: str = "", paths: str = '["tests"]') -> Repo:
    """The coverage step's fixture repository ``repo``, its gate with the regression step."""
    text = (repo.root / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace('gate = ["coverage"]\n', BOTH.format(paths=paths), 1)
    table = "[tool.qualitykit.incremental]\n"
    text = text.replace(table, f"{extra}{table}")
    (repo.root / "pyproject.toml").write_text(text, encoding="utf-8")
    return repo


def _verdicts(root: Path) -> dict[str, Any]:
    summary = json.loads((root / ".qualitykit" / "summary.json").read_text())
    return {
        step["step"]: (step["status"], sorted(item["message"] for item in step["findings"]))
        for step in summary["steps"]
    }


def gate(repo: Repo, *args: str) -> str:
    """The incremental gate, then a full one of a copy: the same verdicts; the step's summary."""
    run = repo.gate(*args)
    assert run.returncode in {0, 1}, run.stderr
    copy = Repo(repo.root.parent / "full")
    shutil.rmtree(copy.root, ignore_errors=True)
    shutil.copytree(repo.root, copy.root, ignore=shutil.ignore_patterns(".qualitykit"))
    full = copy.gate("--no-cache")
    assert full.returncode == run.returncode, (run.stderr, full.stderr)
    assert _verdicts(copy.root) == _verdicts(repo.root)
    return str(repo.summary()["regression"]["summary"])


@pytest.mark.slow
def test_an_edit_reruns_the_tests_that_reach_it_and_equals_a_full_run(repo: Repo) -> None:
    """A body edit reruns the test of that function; a breaking one fails naming it; else none."""
    setup(repo)
    assert gate(repo) == "5 tests; full run: no stored per-test data"
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    said = gate(repo)
    assert said == "1 of 5 tests: they execute or read src/pkg/shapes.py::perimeter", said
    said = gate(repo, "--no-cache")
    assert said == "0 of 5 tests: no measured input changed (the stored passing run's verdict)"
    assert repo.summary()["regression"]["status"] == "pass"
    # Same files and choice of tests as the coverage step: the store proves the collection,
    # and pytest never started (it writes the JUnit report the step removed first).
    assert not (repo.root / ".qualitykit" / "junit" / "regression.xml").exists()
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "2 * width + height"))
    said = gate(repo)
    expected = "1 of 5 tests, 1 failed: they execute or read src/pkg/shapes.py::perimeter"
    assert said.startswith(expected), said
    result = repo.summary()["regression"]
    assert result["status"] == "fail"
    assert [item["message"].split(": ")[0] for item in result["findings"]] == [
        "tests.test_perimeter::test_perimeter"
    ]


def summary(repo: Repo, *args: str) -> str:
    """Run the gate (no full run beside it); the regression step's summary."""
    run = repo.gate(*args)
    assert run.returncode in {0, 1}, run.stderr
    return str(repo.summary()["regression"]["summary"])


def test_a_first_run_is_full_an_edit_selects_and_no_change_starts_no_pytest(repo: Repo) -> None:
    """The fast variant of the test above (no full runs beside it): the three kinds of plan."""
    setup(repo)
    assert summary(repo) == "5 tests; full run: no stored per-test data"
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    assert summary(repo) == "1 of 5 tests: they execute or read src/pkg/shapes.py::perimeter"
    said = summary(repo, "--no-cache")
    assert said == "0 of 5 tests: no measured input changed (the stored passing run's verdict)"
    assert not (repo.root / ".qualitykit" / "junit" / "regression.xml").exists()


@pytest.mark.slow
def test_deselected_tests_always_run_and_untraceable_changes_run_in_full(repo: Repo) -> None:
    """Tests the coverage step never ran always run; a conftest: a full run; so do arguments
    the coverage step's run did not have.

    Never ran under coverage: a test it deselects by marker, a test outside its paths.
    """
    coverage = '[tool.qualitykit.steps.coverage]\nargs = ["-m", "not slow"]\n'
    setup(repo, coverage + MARKERS, paths='["tests", "checks"]')
    repo.write("tests/test_slow.py", SLOW_TEST)
    repo.write("checks/test_extra.py", EXTRA_TEST)
    repo.write("checks/data.txt", "2\n")
    assert summary(repo) == "7 tests; full run: no stored per-test data"
    said = summary(repo, "--no-cache")
    never = "no measured input changed; 2 the coverage step never ran (always run)"
    assert said == f"2 of 7 tests: {never}", said
    repo.write("checks/data.txt", "3\n")
    said = summary(repo)
    assert said == f"2 of 7 tests, 1 failed: {never}", said
    repo.write("checks/data.txt", "2\n")
    repo.write("tests/conftest.py", "import pytest\n")
    said = summary(repo)
    assert said.startswith("7 tests; full run: tests/conftest.py changed (configuration"), said
    text = (repo.root / "pyproject.toml").read_text(encoding="utf-8")
    own = '[tool.qualitykit.steps.regression]\nargs = ["-x"]\n'
    (repo.root / "pyproject.toml").write_text(text + own, encoding="utf-8")
    summary(repo)  # pyproject.toml changed: the coverage step's store is measured again
    said = summary(repo, "--no-cache")
    assert said.startswith(
        "7 tests; full run: the regression step's pytest arguments differ from the coverage"
    ), said


COVERAGE_ONLY = """\
import os


def test_passes_only_under_coverage() -> None:
    assert "COVERAGE_RUN" in os.environ
"""


@pytest.mark.slow
def test_a_red_regression_step_turns_green_only_by_a_full_run(repo: Repo) -> None:
    """A test passing under the coverage step but failing here is known to the store.

    Selecting after the failure would leave it out (nothing it depends on changed) and the
    step would pass where a full run fails: after a run that did not pass, the run is full.
    """
    setup(repo)
    repo.write("tests/test_env.py", COVERAGE_ONLY)
    assert summary(repo).startswith("6 tests, 1 failed; full run: no stored per-test data")
    assert repo.summary()["coverage"]["status"] == "pass"
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    said = gate(repo)
    assert said.startswith("6 tests, 1 failed; full run: the regression step's last run"), said


@pytest.mark.slow
def test_verify_incremental_compares_the_regression_step(repo: Repo) -> None:
    """``gate --verify-incremental``: the regression step's selecting run equals its full run."""
    setup(repo)
    summary(repo)
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    run = repo.gate("--verify-incremental")
    assert run.returncode == 0, run.stderr
    assert "the incremental gate equals the full gate (passed, 2 steps)" in run.stderr

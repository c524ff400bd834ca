"""Pinned: a test step counts only tests that ran; a run in which none ran is an error.

Broke: a suite whose every test was skipped (a ``skipif`` on the platform, a missing optional
dependency) exited 0 with a JUnit report of ``tests="2" skipped="2"`` and the regression and
coverage steps read that as a PASS: the gate said green while no test had executed.
Deselected-only runs (``-k``/``-m``, pytest exit 5) and ``--collect-only`` passed through the
step's args must stay errors too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Repo

SKIPPED = """\
import pytest


@pytest.mark.skip(reason="not on this platform")
def test_one() -> None:
    assert False


@pytest.mark.skipif(True, reason="optional dependency missing")
def test_two() -> None:
    assert False
"""

XFAIL_ONLY = """\
import pytest


@pytest.mark.xfail(strict=True, reason="known bug")
def test_known_bug() -> None:
    assert False
"""


def _check(repo: Repo, step: str) -> dict[str, object]:
    run = repo.qualitykit("check", step, "--json")
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 1, run.stdout + run.stderr
    result: dict[str, object] = json.loads(run.stdout)
    return result


def test_an_all_skipped_regression_suite_is_an_error(repo: Repo) -> None:
    """Every test skipped: nothing ran, so the regression step is an error, not a pass."""
    repo.write("tests/regression/test_core.py", SKIPPED)
    result = _check(repo, "regression")
    assert result["status"] == "error"
    assert "no test ran" in str(result["summary"])
    assert "2 skipped" in str(result["summary"])


def test_an_all_skipped_coverage_suite_is_an_error(repo: Repo) -> None:
    """The coverage step runs the same JUnit checks: an all-skipped suite measures nothing real."""
    repo.configure('[tool.qualitykit.coverage]\ntests = ["tests"]\nratchet = false\n')
    repo.write("tests/regression/test_core.py", SKIPPED)
    result = _check(repo, "coverage")
    assert result["status"] == "error"
    assert "no test ran" in str(result["summary"])


@pytest.mark.parametrize(
    ("args", "why"),
    [
        ('["-k", "no_such_test"]', "deselected"),
        ('["-m", "no_such_marker"]', "deselected"),
        ('["--collect-only"]', "no test ran"),
    ],
)
def test_a_run_that_executes_nothing_through_args_is_an_error(
    repo: Repo, args: str, why: str
) -> None:
    """``-k``/``-m`` deselecting everything (exit 5) or ``--collect-only`` (exit 0, 0 tests)."""
    repo.configure(f"[tool.qualitykit.steps.regression]\nargs = {args}\n")
    result = _check(repo, "regression")
    assert result["status"] == "error"
    assert why in str(result["summary"])


def test_an_expected_failure_did_run(repo: Repo) -> None:
    """An xfail test executed (and failed as expected): JUnit files it as skipped, it still ran."""
    repo.write("tests/regression/test_core.py", XFAIL_ONLY)
    run = repo.qualitykit("check", "regression", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["status"] == "pass"

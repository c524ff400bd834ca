"""Regression: a project whose pytest addopts say ``--cov`` gets real coverage figures.

Broke on parse 1.22 (``addopts = "--cov=parse ..."``) when adopted: pytest-cov started a
coverage of its own inside the coverage step's, took the tracer over, and the step's data
file stayed empty ("no coverage data: No data to report"), so the coverage step of such a
project was an error on every run. The step now keeps pytest-cov loaded (its marks and
fixtures still work) but off (``--no-cov``); the project's own runs are unchanged.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Repo


def test_the_coverage_step_measures_a_suite_that_runs_pytest_cov(repo: Repo) -> None:
    repo.configure(
        'gate = ["coverage"]\n'
        "[tool.qualitykit.coverage]\n"
        "ratchet = false\n"
        "[tool.coverage.run]\n"
        'source = ["src/pkg"]\n'
        "[tool.pytest.ini_options]\n"
        'addopts = "--cov=pkg --cov-branch"\n'
        'testpaths = ["tests"]\n'
        'pythonpath = ["src"]\n'
    )

    run = repo.qualitykit("check", "coverage", "--json")

    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert result["status"] == "pass", result["summary"]
    assert result["coverage"]["total"]["percent"] == 100.0
    assert result["counts"]["tests"] >= 1
    assert not (repo.root / ".coverage").exists(), "pytest-cov measured (and wrote) as well"

"""Fixed: a test the coverage step deselected (``-m "not slow"``) was recorded as known.

Broke: the incremental plugin recorded every collected test before pytest's own ``-m``/``-k``
deselection, so the coverage step's store listed the slow tests it never ran as known. The
regression step selecting from that store left a known, unselected test out, as proven
unaffected: after an edit breaking only a slow test, it reran the fast tests and passed. A
stale pass: nothing had ever run that test against the code it depends on. Known now means
ran in the recorded run (or left out by a selection of a run that kept the store).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.test_coverage_step import SHAPES
from integration.test_incremental_regression import SLOW_TEST, slow_test_failing_after

if TYPE_CHECKING:
    from conftest import Repo

# The body of area() only: the same skeleton, so the edit is traced to the tests executing it.
NO_CHECK = SHAPES.replace('        raise ValueError("negative size")\n', "        pass\n")


@pytest.mark.slow
def test_a_test_the_coverage_step_never_ran_is_run_by_the_regression_step(repo: Repo) -> None:
    """Only the slow test sees the edit: the regression step runs it and fails, naming it."""
    failed = slow_test_failing_after(repo, ("tests/test_slow.py", SLOW_TEST), NO_CHECK)
    assert failed == ["tests.test_slow::test_negative_sizes_are_refused"]
    result = repo.summary()["regression"]
    assert "1 the coverage step never ran (always run)" in result["summary"], result

"""Fixed: the regression step left out a module whose test only its own choice keeps.

Broke: with the coverage step choosing ``-m "not slow"`` and the regression step choosing
every test, a partial plan left out, unimported, each known test module none of whose known
tests an edit reached. The regression step used that plan as it was, so a slow test in such a
module (one the coverage step never ran, which must always run) never ran: after an edit
breaking only that test, the regression step passed. A stale pass. When the two steps choose
tests differently, the regression step now imports every module (leaving out the known
unselected tests one by one).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from integration.test_coverage_step import SHAPES
from integration.test_incremental_regression import slow_test_failing_after

if TYPE_CHECKING:
    from conftest import Repo

MIXED = """\
import pytest

from pkg.shapes import area, perimeter


def test_area_of_a_square() -> None:
    assert area(2, 2) == 4


@pytest.mark.slow
def test_perimeter_of_a_line() -> None:
    assert perimeter(0, 5) == 10
"""
# perimeter's body only: tests/test_perimeter.py (2 by 3) still passes, the slow test fails.
FLAT_IS_ZERO = SHAPES.replace(
    "    return 2 * (width + height)\n", "    return 2 * (width + height) if width else 0\n"
)


def test_a_slow_test_in_a_module_left_out_by_the_coverage_plan_still_runs(repo: Repo) -> None:
    failed = slow_test_failing_after(repo, ("tests/test_mixed.py", MIXED), FLAT_IS_ZERO)
    assert failed == ["tests.test_mixed::test_perimeter_of_a_line"]
    assert repo.summary()["coverage"]["status"] == "pass", repo.summary()["coverage"]

"""Fixed: a test rerun alone ran lines the full suite never ran, a cache filled before it.

Broke: python-dateutil's ``zoneinfo.gettz`` and ``gettz_db_metadata`` fill one module-level
cache. In the full suite a ``gettz`` test runs first, so the metadata test never runs the line
that fills it; rerun alone after an edit to ``gettz_db_metadata``, it did, and the incremental
coverage came out one line higher than the full run's (found by ``benchmarks/incremental.py``,
3 of 20 random edits). A selected test's earlier neighbours in its module that ran the changed
file now rerun before it, so the state it meets is the full suite's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.test_incremental import SHAPES, gate, setup
from unit.test_incremental_plan import CACHE

if TYPE_CHECKING:
    from conftest import Repo

TEST_CACHE = """\
from pkg.cache import fill, size


def test_warm() -> None:
    assert fill() == 1


def test_size() -> None:
    assert size() == 1
"""


@pytest.mark.slow
def test_a_cache_filled_by_an_earlier_test_is_filled_again(repo: Repo) -> None:
    """An edit to size(): test_warm reruns first, the figures equal a full run's beside it.

    test_warm runs first though its name sorts last; the order survives a partial run that
    left test_cache.py out (the manifest keeps a left-out module's tests in their order).
    """
    setup(repo)
    repo.write("src/pkg/cache.py", CACHE)
    repo.write("tests/test_cache.py", TEST_CACHE)
    assert "full run: no stored per-test data" in gate(repo)
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    assert "1 of 7 tests: they execute or read src/pkg/shapes.py::perimeter" in gate(repo)
    repo.write("src/pkg/cache.py", CACHE.replace("return len(_CACHE)", "return len(_CACHE) + 0"))
    said = gate(repo)
    assert "2 of 7 tests: they execute or read src/pkg/cache.py::size" in said, said

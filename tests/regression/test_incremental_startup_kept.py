"""Fixed: a partial run lost the lines a conftest hook ran for the test modules it left out.

Broke: a partial run (issue 14) imports only the test modules it needs, and replaced the
stored start-up context (``""``: start-up and collection outside any module) with its own.
A conftest's ``pytest_collection_modifyitems`` that does something only for some tests (here:
the xfail ones, as python-dateutil's does) ran for fewer tests, so its lines went missing:
the incremental coverage was lower than the full run's (found on python-dateutil by
``benchmarks/incremental.py``). Start-up's stored data is now kept and the fresh added to it:
what it ran cannot have changed, since a change to anything start-up runs is a full run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from integration.test_incremental import SHAPES, gate, setup

if TYPE_CHECKING:
    from conftest import Repo

CONFTEST = """\
def pytest_collection_modifyitems(items):
    for item in items:
        if item.get_closest_marker("xfail"):
            item.user_properties.append(("known", "bug"))
"""
KNOWN_BUG = """\
import pytest


@pytest.mark.xfail(strict=True, reason="a known bug")
def test_known_bug() -> None:
    assert 1 + 1 == 3
"""


@pytest.mark.slow
def test_a_conftest_hook_run_for_a_module_left_out_keeps_its_lines(repo: Repo) -> None:
    """An edit reaching test_perimeter only: the xfail module is not imported, the hook's
    branch for it is still covered, as in the full run beside it."""
    setup(repo, source='"src/pkg", "tests"')
    repo.write("tests/conftest.py", CONFTEST)
    repo.write("tests/test_known_bug.py", KNOWN_BUG)
    assert "full run: no stored per-test data" in gate(repo)
    repo.write("src/pkg/shapes.py", SHAPES.replace("2 * (width + height)", "(width + height) * 2"))
    said = gate(repo)
    assert "1 of 6 tests: they execute or read src/pkg/shapes.py::perimeter" in said, said

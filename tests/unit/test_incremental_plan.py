"""The planner's selection on a store built with coverage.py's own data API (no suite run)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import pytest
from coverage import CoverageData

from qualitykit.incremental.plan import Inputs, make_plan
from qualitykit.incremental.skeleton import skeleton
from qualitykit.incremental.store import Manifest, data_path, save_manifest

if TYPE_CHECKING:
    from pathlib import Path

CACHE = """\
_CACHE: list[int] = []


def fill() -> int:
    if not _CACHE:
        _CACHE.append(1)
    return _CACHE[0]


def size() -> int:
    if not _CACHE:
        _CACHE.append(1)
    return len(_CACHE)
"""
SOURCE, TESTS = "src/pkg/cache.py", "tests/test_cache.py"
WARM, SIZE = f"{TESTS}::test_warm", f"{TESTS}::test_size"
# What each test executed in the full run: test_warm filled the cache, so test_size never ran
# line 12.
LINES = {WARM: [5, 6, 7], SIZE: [11, 13]}


def _digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def _inputs(root: Path, order: list[str]) -> Inputs:
    """A store whose tests last ran in ``order``; then an edit to size()'s body."""
    (root / "src/pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / SOURCE).write_text(CACHE, encoding="utf-8")
    (root / TESTS).write_text("from pkg.cache import fill, size\n", encoding="utf-8")
    store = root / ".qualitykit/incremental/coverage"
    store.mkdir(parents=True)
    data = CoverageData(basename=str(data_path(store)))
    for test in order:
        data.set_context(test)
        data.add_lines({SOURCE: LINES[test]})
    data.write()
    names = (SOURCE, TESTS)
    files = {name: _digest(root / name) for name in names}
    save_manifest(
        store,
        Manifest(
            environment={},
            files=files,
            skeletons={name: skeleton((root / name).read_bytes()) for name in names},
            tests=dict.fromkeys(order, TESTS),
        ),
    )
    (root / SOURCE).write_text(CACHE.replace("len(_CACHE)", "len(_CACHE) + 0"), encoding="utf-8")
    now = {name: _digest(root / name) for name in names}
    return Inputs(root, store, now, {TESTS}, {}, ())


@pytest.mark.parametrize(
    ("order", "selected"),
    [([WARM, SIZE], (SIZE, WARM)), ([SIZE, WARM], (SIZE,))],
    ids=["warm-ran-first", "warm-ran-after"],
)
def test_a_selected_tests_earlier_neighbours_that_ran_the_file_rerun(
    tmp_path: Path, order: list[str], selected: tuple[str, ...]
) -> None:
    """test_warm ran cache.py before test_size in their module: it reruns first, so the cache
    test_size meets is the full run's. Run after it, it cannot matter: it is not selected."""
    plan = make_plan(_inputs(tmp_path, order))
    assert (plan.mode, plan.select) == ("partial", selected)
    assert plan.reason == f"they execute or read {SOURCE}::size"


OTHER, SLOW = "tests/test_other.py", "tests/test_slow.py"


def _importer_inputs(root: Path, edited: str) -> Inputs:
    """test_other's import ran cache.py's module-level lines; test_slow's tests were all
    deselected (-m); then cache.py is ``edited``."""
    (root / "src/pkg").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / SOURCE).write_text(CACHE, encoding="utf-8")
    for name in (TESTS, OTHER, SLOW):
        (root / name).write_text("from pkg.cache import fill, size\n", encoding="utf-8")
    store = root / ".qualitykit/incremental/coverage"
    store.mkdir(parents=True)
    data = CoverageData(basename=str(data_path(store)))
    data.set_context(f"collect:{OTHER}")
    data.add_lines({SOURCE: [1, 4, 10]})  # the import: the annotation and the two defs
    data.set_context(SIZE)
    data.add_lines({SOURCE: LINES[SIZE]})
    data.write()
    names = (SOURCE, TESTS, OTHER, SLOW)
    save_manifest(
        store,
        Manifest(
            environment={},
            files={name: _digest(root / name) for name in names},
            skeletons={name: skeleton((root / name).read_bytes()) for name in names},
            tests={SIZE: TESTS, f"{OTHER}::test_other": OTHER},
            modules=(OTHER, SLOW, TESTS),
        ),
    )
    (root / SOURCE).write_text(edited, encoding="utf-8")
    now = {name: _digest(root / name) for name in names}
    return Inputs(root, store, now, {TESTS, OTHER, SLOW}, {}, ())


def test_a_body_edit_leaves_out_the_modules_that_imported_the_file(tmp_path: Path) -> None:
    """Only size()'s body changed: test_other's import ran the same lines (kept, not
    measured again), and test_slow (no test known) is left out too, until either changes."""
    edited = CACHE.replace("len(_CACHE)", "len(_CACHE) + 0")
    plan = make_plan(_importer_inputs(tmp_path, edited))
    assert (plan.mode, plan.select) == ("partial", (SIZE,))
    assert plan.skip == {OTHER: (f"{OTHER}::test_other",), SLOW: ()}


def test_lines_moved_outside_the_bodies_import_the_importers_again(tmp_path: Path) -> None:
    """A line added between two functions: where test_other's import lines are now is
    unknown, so its module is imported (measured) again."""
    edited = CACHE.replace("\n\ndef size", "\n\n\ndef size")
    plan = make_plan(_importer_inputs(tmp_path, edited))
    assert plan.mode == "partial", plan.reason
    assert plan.skip == {SLOW: ()}

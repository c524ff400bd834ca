"""Fixed: a small incremental run spent seconds deleting the temporary trees of older runs.

Broke: pytest, as each session ends, deletes the numbered temporary directories
(``pytest-of-USER/pytest-N``) of the runs three before it. After a full run of this repository
(tens of thousands of fixture files under ``tmp_path``), the third edit after it paid 3.6 s of
its 12 s for deleting that tree (found profiling ``benchmarks/incremental.py``'s one-line
edit). A selecting run's pytest now makes its trees in the run's own scratch directory, which
goes with the run; other runs' trees are left to pytest's own sessions.
"""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from integration.test_incremental import setup

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import Repo

TEST_TMP = """\
from pathlib import Path

from pkg.shapes import area


def test_writes_a_file(tmp_path: Path) -> None:
    (tmp_path / "out.txt").write_text(str(area(2, 3)))
    Path("tmp_path_seen.txt").write_text(str(tmp_path))
"""


def test_older_runs_temporary_trees_are_left_alone(repo: Repo, tmp_path: Path) -> None:
    """Five older numbered trees in the system's temporary root survive an incremental run."""
    setup(repo)
    repo.write("tests/test_tmp.py", TEST_TMP)
    system_tmp = tmp_path / "system-tmp"
    user_root = system_tmp / f"pytest-of-{getpass.getuser()}"
    older = [user_root / f"pytest-{number}" for number in range(1, 6)]
    for tree in older:
        (tree / "kept").mkdir(parents=True)
    user_root.chmod(0o700)
    # PYTEST_DEBUG_TEMPROOT empty: the system's root (TMPDIR here), whatever ran this test.
    run = repo.gate(env={"TMPDIR": str(system_tmp), "PYTEST_DEBUG_TEMPROOT": ""})
    assert run.returncode == 0, run.stderr
    assert [tree.name for tree in older if (tree / "kept").is_dir()] == [t.name for t in older]
    seen = (repo.root / "tmp_path_seen.txt").read_text(encoding="utf-8")
    assert not seen.startswith(str(user_root)), seen

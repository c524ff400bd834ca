"""Property: after any sequence of edits, the incremental gate gives the full gate's answer.

Random sequences of edits on a fixture repository (function bodies that move lines or break a
test, new tests, deleted tests, a conftest.py, a data file a test reads); after every edit the
incremental run's verdict, findings and coverage figures equal a full run's of the same tree
(``test_incremental.gate`` compares them). Real coverage, real git, the real CLI: slow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CLEAN_MODULE, CLEAN_TEST, Repo
from integration.test_incremental import SHAPES, UNITS, gate, setup

if TYPE_CHECKING:
    from pathlib import Path

KINDS = ("shapes body", "units body", "new test", "delete test", "conftest", "data file")
EDITS = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(0, 9)), min_size=1, max_size=3)


def _fresh(root: Path) -> Repo:
    repo = Repo(root)
    root.mkdir(parents=True)
    repo.git("init", "-q", "-b", "main")
    repo.write("src/pkg/__init__.py", '"""Fixture package."""\n')
    repo.write("src/pkg/core.py", CLEAN_MODULE)
    repo.write("tests/regression/test_core.py", CLEAN_TEST.replace("from pkg", "from pkg.core"))
    repo.write(".gitignore", ".qualitykit/\n__pycache__/\n")
    return setup(repo)


def _edit(repo: Repo, kind: str, value: int) -> None:
    tests = sorted(path.name for path in (repo.root / "tests").glob("test_*.py"))
    if kind == "shapes body":
        # 7 breaks perimeter (a failing test); the extra lines move everything below them.
        body = f"    extra = {int(value == 7)}\n" + "    extra += 0\n" * (value % 3)
        text = SHAPES.replace(
            "    return 2 * (width + height)", body + "    return 2 * (width + height) + extra"
        )
        repo.write("src/pkg/shapes.py", text)
    elif kind == "units body":
        repo.write(
            "src/pkg/units.py", UNITS.replace('    return f"', f'    _ = {value}\n    return f"')
        )
    elif kind == "new test":
        repo.write(
            f"tests/test_new_{value}.py",
            f"from pkg.shapes import area\n\n\ndef test_new_{value}() -> None:\n"
            f"    assert area({value}, 1) == {value}\n",
        )
    elif kind == "delete test" and tests:
        (repo.root / "tests" / tests[value % len(tests)]).unlink()
    elif kind == "conftest":
        repo.write("tests/conftest.py", f"# revision {value}\n")
    elif kind == "data file":
        repo.write("tests/data/expected.txt", "7\n" if value == 7 else "6\n")


@pytest.mark.slow
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_random_edits_give_the_full_gates_answer(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int]]
) -> None:
    """Every edit of the sequence: incremental verdict, findings, figures == full run's."""
    repo = _fresh(tmp_path_factory.mktemp("property") / "project")
    gate(repo)
    for kind, value in edits:
        _edit(repo, kind, value)
        gate(repo)

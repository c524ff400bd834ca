"""Property: after any sequence of edits, the regression step's selection gives a full answer.

The coverage step's property test (test_incremental_property.py) with the regression step in
the gate and a slow test the coverage step deselects: after every edit both steps' verdicts
and findings equal a full gate's of the same tree. Real pytest, real git, the real CLI: slow.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from integration.test_incremental_property import EDITS, _edit, _fresh
from integration.test_incremental_regression import MARKERS, SLOW_TEST, gate, with_regression

DESELECTING = '[tool.qualitykit.steps.coverage]\nargs = ["-m", "not slow"]\n'


@pytest.mark.slow
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits=EDITS)
def test_random_edits_give_the_full_gates_answer_in_the_regression_step(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, int]]
) -> None:
    """Every edit of the sequence: both steps' verdicts and findings == the full gate's."""
    repo = _fresh(tmp_path_factory.mktemp("property") / "project")
    with_regression(repo, DESELECTING + MARKERS)
    repo.write("tests/test_slow.py", SLOW_TEST)
    gate(repo)
    for kind, value in edits:
        _edit(repo, kind, value)
        gate(repo)

"""``--cwd``: does a test's outcome depend on the directory pytest runs from?

The failing tests and every test of their modules run twice, in the same order: from the
project root, and from a fresh empty temporary directory (absolute node ids, ``--rootdir`` and
the project's config file, the root first on ``sys.path`` as ``python -m pytest`` would put
it). A test whose outcome differs is ``cwd-dependent``, whichever way: passing only from the
root (it reads ``data/x.txt`` relative to the CWD) or only from elsewhere (it trips over
something in the root).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.triage.deep_models import Cwd, CwdTest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitykit.triage.deep_models import CwdLabel
    from qualitykit.triage.rerun import Rerunner


def check_cwd(runner: Rerunner, tests: Sequence[str]) -> Cwd:
    """Run ``tests`` from the root and from elsewhere; label each by whether they agree."""
    if not tests:
        return Cwd(status="ran", reason="no failing test to rerun")
    home, away = runner.run(tests), runner.run(tests, elsewhere=True)
    results: list[CwdTest] = []
    for test in tests:
        here, there = home.outcome(test), away.outcome(test)
        label: CwdLabel
        if "not-run" in {here, there}:
            label = "not-run"
        else:
            label = "cwd-dependent" if here != there else "same"
        results.append(CwdTest(test_id=test, label=label, from_root=here, elsewhere=there))
    problems = [p for p in (home.problem, away.problem) if p is not None]
    if problems and all(result.label == "not-run" for result in results):
        return Cwd(status="not-run", reason="; ".join(problems), tests=tuple(results))
    if any(result.label == "not-run" for result in results):
        reason = "; ".join(problems) or "some tests did not run in one of the two runs"
        return Cwd(status="incomplete", reason=reason, tests=tuple(results))
    return Cwd(status="ran", tests=tuple(results))

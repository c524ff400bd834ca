"""``--cwd``: does a test's outcome depend on the directory pytest runs from?

The failing tests and every test of their modules run twice, in the same order: from the
project root, and from a fresh empty temporary directory (absolute node ids, ``--rootdir`` and
the project's config file, the root first on ``sys.path`` as ``python -m pytest`` would put
it). A test whose outcome differs is ``cwd-dependent``, whichever way: passing only from the
root (it reads ``data/x.txt`` relative to the CWD) or only from elsewhere (it trips over
something in the root). A difference is confirmed by a second pair of runs, elsewhere first:
a test that does not differ the same way the second time is ``unstable`` (flaky, or changed
by the runs before it), not cwd-dependent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.triage.deep_models import Cwd, CwdTest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from qualitykit.triage.deep_models import CwdLabel, Outcome
    from qualitykit.triage.rerun import Rerun, Rerunner


def _label(first: tuple[Outcome, Outcome], second: tuple[Outcome, Outcome]) -> CwdLabel:
    """From (root, elsewhere) outcomes of the two pairs (the second only read on a difference)."""
    if "not-run" in first:
        return "not-run"
    if first[0] == first[1]:
        return "same"
    if "not-run" in second:
        return "not-run"
    return "cwd-dependent" if second == first else "unstable"


def check_cwd(runner: Rerunner, tests: Sequence[str]) -> Cwd:
    """Run ``tests`` from the root and from elsewhere; label each by whether they agree."""
    if not tests:
        return Cwd(status="ran", reason="no failing test to rerun")
    home, away = runner.run(tests), runner.run(tests, elsewhere=True)
    reruns: list[Rerun] = [home, away]
    ran_both = [t for t in tests if "not-run" not in {home.outcome(t), away.outcome(t)}]
    if any(home.outcome(t) != away.outcome(t) for t in ran_both):
        again_away = runner.run(tests, elsewhere=True)
        again_home = runner.run(tests)
        reruns.extend([again_away, again_home])
    else:
        again_away, again_home = home, away  # never read: nothing differed
    results = tuple(
        CwdTest(
            test_id=test,
            label=_label(
                (home.outcome(test), away.outcome(test)),
                (again_home.outcome(test), again_away.outcome(test)),
            ),
            from_root=home.outcome(test),
            elsewhere=away.outcome(test),
        )
        for test in tests
    )
    problems = [rerun.problem for rerun in reruns if rerun.problem is not None]
    if problems and all(result.label == "not-run" for result in results):
        return Cwd(status="not-run", reason="; ".join(problems), tests=results)
    if any(result.label == "not-run" for result in results):
        reason = "; ".join(problems) or "some tests did not run in a rerun"
        return Cwd(status="incomplete", reason=reason, tests=results)
    return Cwd(status="ran", tests=results)

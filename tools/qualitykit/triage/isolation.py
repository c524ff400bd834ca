"""``--isolation``: is a failure the test's own, or does it need other tests to run first?

Each failing test is rerun alone (one pytest process each) and within its module (one process
per module). Fails alone: ``fails-alone``. Passes alone but fails in its module:
``order-dependent``. Passes both ways: the suite is rerun once as the full run ran it (only
when some test needs it) — fails there: ``order-dependent``; passes: ``passes-now``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.triage.deep_models import Isolation, IsolationTest

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from qualitykit.triage.deep_models import IsolationLabel, Outcome
    from qualitykit.triage.rerun import Rerun, Rerunner


def module_of(test_id: str) -> str:
    """The file part of a node id (``tests/test_a.py::TestX::test_y`` → ``tests/test_a.py``)."""
    return test_id.split("::", 1)[0]


def _label(
    test: str, alone: Outcome, in_module: Outcome, full_run: Outcome | None
) -> IsolationTest:
    label: IsolationLabel
    if alone == "failed":
        label = "fails-alone"
    elif alone == "not-run":
        label = "not-run"
    elif in_module == "failed" or full_run == "failed":
        label = "order-dependent"
    elif full_run in {"passed", "skipped"}:
        label = "passes-now"
    else:
        label = "not-run"
    return IsolationTest(
        test_id=test, label=label, alone=alone, in_module=in_module, full_run=full_run
    )


def check_isolation(
    runner: Rerunner,
    failing: Sequence[str],
    modules: Mapping[str, Sequence[str]],
    full_args: Sequence[str],
) -> Isolation:
    """Label each failing test; ``modules`` holds each failing module's tests in full-run order."""
    if not failing:
        return Isolation(status="ran", reason="no failing test to rerun")
    problems: list[str] = []

    def note(rerun: Rerun) -> Rerun:
        if rerun.problem is not None:
            problems.append(rerun.problem)
        return rerun

    alone: dict[str, Outcome] = {test: note(runner.run([test])).outcome(test) for test in failing}
    in_module: dict[str, Outcome] = {}
    for module in dict.fromkeys(module_of(test) for test in failing):
        rerun = note(runner.run(modules[module]))
        in_module.update(
            {test: rerun.outcome(test) for test in failing if module_of(test) == module}
        )
    # Passed alone and in its module: only the full run, once more, can tell order from luck.
    unsure = [
        t for t in failing if alone[t] not in {"failed", "not-run"} and in_module[t] != "failed"
    ]
    full = note(runner.run_args(full_args)) if unsure else None
    tests = tuple(
        _label(
            test,
            alone[test],
            in_module[test],
            full.outcome(test) if full is not None and test in unsure else None,
        )
        for test in failing
    )
    if all(test.label != "not-run" for test in tests):
        return Isolation(status="ran", tests=tests)
    reason = problems[0] if problems else "some tests did not run in their reruns"
    return Isolation(status="incomplete", reason=reason, tests=tests)

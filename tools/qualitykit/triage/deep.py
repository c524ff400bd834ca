"""The deep checks of ``qualitykit triage``, run after the full run, written to ``deep.json``.

``--isolation``, ``--polluters``, ``--cwd``, ``--flaky N``, ``--slow``; all with ``--deep``.

To stay cheap they look only at the failing tests and the other tests of their modules; only
``--slow`` reads the whole run (its durations, no rerun). Collection errors are not rerun: they
have no test to rerun.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.errors import QualityKitError
from qualitykit.triage.cwd import check_cwd
from qualitykit.triage.deep_models import DeepChecks, DeepRequest, Polluters
from qualitykit.triage.flaky import check_flaky
from qualitykit.triage.isolation import check_isolation, module_of
from qualitykit.triage.leaks import with_leaks
from qualitykit.triage.polluters import search
from qualitykit.triage.rerun import Rerunner, read_tests
from qualitykit.triage.session import Session
from qualitykit.triage.slow import check_slow

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from qualitykit.triage.delta import Delta
    from qualitykit.triage.models import Capture
    from qualitykit.triage.pollution_models import Kind, PollutionResult


def find_polluters(
    runner: Rerunner,
    full_order: Sequence[str],
    order_dependent: Sequence[str],
    needs_another_first: Sequence[str],
) -> Polluters:
    """The polluters of each order-dependent failure and the enablers of the other kind.

    ``full_order``: every test of the full run, in the order it ran (the candidates: the tests
    before a target in that order); ``order_dependent``: failing tests that pass alone or in
    their module (searched for polluters); ``needs_another_first``: tests that passed in the
    full run but failed in a shuffled order (searched for enablers). One collected-once
    session serves every search (``triage.session``); each found set comes with what it
    leaked. A session that cannot start makes the check ``not-run``, naming why.
    """
    searched = tuple(dict.fromkeys([*order_dependent, *needs_another_first]))
    if not searched:
        return Polluters(status="ran", reason="no order-dependent test to search")
    position = {test: index for index, test in enumerate(full_order)}
    wanted: list[tuple[str, Kind]] = [(test, "polluter") for test in order_dependent]
    enablers: list[tuple[str, Kind]] = [
        (test, "enabler") for test in needs_another_first if test not in order_dependent
    ]
    wanted += enablers
    results: list[PollutionResult] = []
    try:
        with Session(runner.root, timeout=runner.timeout) as session:
            for test, kind in wanted:
                prefix = full_order[: position[test]] if test in position else None
                results.append(with_leaks(session, search(session, test, prefix, kind=kind)))
    except QualityKitError as error:
        return Polluters(
            status="not-run", reason=str(error), searched=searched, results=tuple(results)
        )
    return Polluters(status="ran", searched=searched, results=tuple(results))


def run_deep(  # noqa: PLR0913 - the run's results the checks start from, each by name
    root: Path,
    request: DeepRequest,
    *,
    capture: Capture,
    report_log: str,
    pytest_args: Sequence[str],
    delta: Delta,
    timeout: float,
) -> DeepChecks:
    """Run the requested checks against the full run's ``capture`` and report log text."""
    full = read_tests(report_log).tests
    failing = tuple(dict.fromkeys(f.test_id for f in capture.failures if f.test_id in full))
    wanted_modules = {module_of(test) for test in failing}
    modules: dict[str, list[str]] = {}
    for test in full:
        if module_of(test) in wanted_modules:
            modules.setdefault(module_of(test), []).append(test)
    nearby = [test for tests in modules.values() for test in tests]
    runner = Rerunner(root, timeout)
    isolation = (
        check_isolation(runner, failing, modules, pytest_args)
        if request.isolation or request.polluters
        else None
    )
    cwd = check_cwd(runner, nearby) if request.cwd else None
    flaky = (
        check_flaky(runner, nearby, set(failing), set(capture.passed), request.flaky_runs)
        if request.flaky_runs is not None
        else None
    )
    polluters = None
    if request.polluters and isolation is not None:
        order_dependent = [t.test_id for t in isolation.tests if t.label == "order-dependent"]
        enabled = [n.test_id for n in flaky.needs_another_first] if flaky is not None else []
        polluters = find_polluters(runner, tuple(full), order_dependent, enabled)
    slow = None
    if request.slow:
        slow = check_slow(
            {test: result.duration_s for test, result in full.items()},
            per_test_timeout_s=request.per_test_timeout_s,
            suite_s=delta.runtime_s,
            budget_s=delta.budget_s,
            budget_margin=delta.budget_margin,
        )
    return DeepChecks(isolation=isolation, polluters=polluters, cwd=cwd, flaky=flaky, slow=slow)

"""The sanity check: before any mutant runs, the harness must kill what cannot pass.

Tests that import some other copy of the code (an installed package), or a test command that
cannot fail, would let every mutant survive unseen or score anything; here the run stops with
an error instead. Two probes: the module raising on import (the re-import path) and a function
swapped for one that raises (the in-place path).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualitykit.mutation import protocol
from qualitykit.mutation.executor import Plan, generous_budget, job

if TYPE_CHECKING:
    from qualitykit.mutation.mutants import ModuleMutants
    from qualitykit.mutation.pool import Pool

# Appended (a leading line would break ``from __future__`` imports): the import fails at its end.
_SANITY_LINE = '\nraise RuntimeError("qualitykit sanity check: this mutant must be killed")\n'
_PROBES = 5


def sanity(pool: Pool, plans: list[Plan], by_module: dict[str, ModuleMutants]) -> str:
    """Prove the harness kills a module that cannot even be imported; an error text if not."""
    counts: dict[str, int] = {}
    for plan in plans:
        counts[plan.mutant.module] = counts.get(plan.mutant.module, 0) + 1
    module = max(counts, key=counts.__getitem__)
    tests = sorted({test for plan in plans if plan.mutant.module == module for test in plan.tests})
    # A probe that works ends at once (an import error, a raising function); one that times
    # out on a loaded machine must not fail the run, so it gets the confirmation budget.
    timeout = generous_budget(max(plan.timeout for plan in plans))
    probe = Plan(plans[0].mutant, tests, timeout, "")
    message = {**job(probe, by_module[module].source + _SANITY_LINE), "id": "sanity"}
    message |= {"module": module, "function": None}
    failure = _killed_or_problem(
        pool.workers[0].ask(message), f"with {module} replaced by a module that raises on import"
    )
    if failure:
        return failure
    # The in-place path too: a function swapped for one that raises must fail its tests.
    candidates = [plan for plan in plans if plan.mutant.function][:_PROBES]
    for plan in candidates:
        source = by_module[plan.mutant.module].source
        message = {**job(plan, source), "id": "sanity-patch", "probe": True, "timeout": timeout}
        answer = pool.workers[0].ask(message)
        if answer is not None and answer.get("outcome") == protocol.UNSUPPORTED:
            continue  # the worker runs this mutant by re-importing: nothing swapped to prove
        what = f"with {plan.mutant.function} of {plan.mutant.module} made to raise"
        return _killed_or_problem(answer, what)
    return ""


def _killed_or_problem(answer: dict[str, Any] | None, what: str) -> str:
    if answer is None:
        return "sanity check: the worker died running the tests"
    if answer["outcome"] != protocol.KILLED:
        return (
            f"sanity check: {what}, the selected tests gave {answer['outcome']!r} (pytest exit "
            f"{answer.get('exit')}), not killed: they do not test the copy under test (an "
            "installed package shadows it?) or ignore failures"
        )
    return ""

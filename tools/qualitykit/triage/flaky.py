"""``--flaky N``: N reruns in shuffled orders; a pass ratio with its 95 % Wilson interval.

The failing tests and every test of their modules are rerun N times, each run in the order
``random.Random(seed).shuffle`` gives (seeds 1..N, recorded). A test that both passed and
failed is ``flaky``. A test that passed in the full run but failed in some shuffled order is
listed apart (``needs_another_first``): it may need another test to run before it; the
polluter search's enabler side names that test.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from qualitykit.triage.deep_models import Flaky, FlakyTest, NeedsAnother

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from qualitykit.triage.deep_models import FlakyLabel, Status
    from qualitykit.triage.rerun import Rerun, Rerunner

# The standard normal quantile for a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson(passes: int, runs: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of ``passes`` out of ``runs`` (0..1; (0, 1) for no run)."""
    if runs == 0:
        return 0.0, 1.0
    ratio, z2 = passes / runs, z * z
    centre = (ratio + z2 / (2 * runs)) / (1 + z2 / runs)
    half = z / (1 + z2 / runs) * math.sqrt(ratio * (1 - ratio) / runs + z2 / (4 * runs * runs))
    return max(0.0, centre - half), min(1.0, centre + half)


def _judge(test: str, seeds: Sequence[int], reruns: Sequence[Rerun]) -> FlakyTest:
    outcomes = [(seed, rerun.outcome(test)) for seed, rerun in zip(seeds, reruns, strict=True)]
    counted = [(seed, outcome) for seed, outcome in outcomes if outcome in {"passed", "failed"}]
    passes = sum(outcome == "passed" for _, outcome in counted)
    runs = len(counted)
    low, high = wilson(passes, runs)
    label: FlakyLabel
    if runs == 0:
        label = "not-run"
    elif passes == 0:
        label = "always-fails"
    else:
        label = "always-passes" if passes == runs else "flaky"
    return FlakyTest(
        test_id=test,
        label=label,
        runs=runs,
        passes=passes,
        ratio=round(passes / runs, 4) if runs else 0.0,
        low=round(low, 4),
        high=round(high, 4),
        failed_seeds=tuple(seed for seed, outcome in counted if outcome == "failed"),
    )


def check_flaky(
    runner: Rerunner,
    tests: Sequence[str],
    failing: Collection[str],
    passed: Collection[str],
    runs: int,
) -> Flaky:
    """Rerun ``tests`` ``runs`` times shuffled; judge the ``failing`` ones.

    Tests that ``passed`` in the full run but failed in some order are listed apart.
    """
    if not failing:
        return Flaky(status="ran", reason="no failing test to rerun", runs=runs)
    seeds = tuple(range(1, runs + 1))
    reruns: list[Rerun] = []
    for seed in seeds:
        order = list(tests)
        random.Random(seed).shuffle(order)  # noqa: S311 - an order to reproduce, not a secret
        reruns.append(runner.run(order))
    judged = [_judge(test, seeds, reruns) for test in tests]
    needs = tuple(
        NeedsAnother(test_id=result.test_id, failed_seeds=result.failed_seeds)
        for result in judged
        if result.test_id in passed and result.failed_seeds
    )
    results = tuple(result for result in judged if result.test_id in failing)
    problems = [rerun.problem for rerun in reruns if rerun.problem is not None]
    missing = any(result.label == "not-run" for result in results)
    if problems or missing:
        reason = problems[0] if problems else "some tests did not run in a rerun"
        status: Status = "not-run" if len(problems) == len(reruns) else "incomplete"
        return Flaky(
            status=status,
            reason=reason,
            runs=runs,
            seeds=seeds,
            tests=results,
            needs_another_first=needs,
        )
    return Flaky(status="ran", runs=runs, seeds=seeds, tests=results, needs_another_first=needs)

"""``--slow``: per-test durations of the full run (setup + call + teardown), no rerun."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.triage.deep_models import Slow, SlowTest

if TYPE_CHECKING:
    from collections.abc import Mapping

TOP = 10


def check_slow(
    durations: Mapping[str, float],
    *,
    per_test_timeout_s: float | None,
    suite_s: float,
    budget_s: float | None,
    budget_margin: float | None,
) -> Slow:
    """The tests over the per-test timeout, the ``TOP`` slowest, the suite against its budget."""
    if not durations:
        return Slow(status="not-run", reason="the full run's report log holds no test durations")
    ranked = sorted(durations.items(), key=lambda item: (-item[1], item[0]))
    limit = per_test_timeout_s if per_test_timeout_s is not None else float("inf")
    over = tuple(
        SlowTest(test_id=test, duration_s=round(seconds, 3))
        for test, seconds in ranked
        if seconds > limit
    )
    top = tuple(SlowTest(test_id=test, duration_s=round(s, 3)) for test, s in ranked[:TOP])
    return Slow(
        status="ran",
        per_test_timeout_s=per_test_timeout_s,
        over_timeout=over,
        slowest=top,
        suite_s=round(suite_s, 3),
        budget_s=budget_s,
        budget_margin=budget_margin,
    )

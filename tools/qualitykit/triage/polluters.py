"""Which earlier tests make a test fail (polluters), or pass (enablers): a verified minimal set.

detect-test-pollution 1.2.0 bisects one failure with a fresh pytest per step, halves only,
and gives up when two tests are needed together. Here:

- the suite is collected once and every run forks from it (``session.py``);
- the candidates are cut at ``workers`` points per round, run in parallel: the shortest
  prefix after which the target reproduces ends with a culprit; searched again before it
  with that culprit kept, until the culprits alone reproduce (so two needed together are
  found as a set, never as a false single);
- delta debugging (Zeller's ddmin, ``workers + 1`` parts per round in parallel, then their
  complements) makes that set 1-minimal: dropping any one culprit stops the failure;
- stability first: the target alone ``repeats`` times and after the whole prefix ``repeats``
  times must each give one answer, else the target is ``unstable`` and nothing is searched
  (a flaky test would send the search the wrong way and blame an innocent test);
- the final set is run again, ``repeats`` times: a culprit is claimed only when the culprits
  then the target reproduce every time (the target alone was seen not to).

The same search with the predicate inverted finds enablers: a test that fails alone and passes
only because another ran first.
"""

from __future__ import annotations

import shlex
import time
from typing import TYPE_CHECKING

from qualitykit.triage.pollution_models import FAILING, Kind, PollutionResult, TestOutcome

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from qualitykit.triage.session import Session


def _fails(outcome: TestOutcome) -> bool:
    return outcome in FAILING


def _passes(outcome: TestOutcome) -> bool:
    return outcome == "passed"


def repro_command(session: Session, tests: Sequence[str]) -> str:
    """A command that runs ``tests`` in this order (pytest keeps the order of node ids)."""
    flags = ["-p", "no:cacheprovider", *session.repro_flags]
    return shlex.join(["python", "-m", "pytest", *flags, *session.args, *tests])


def _split(items: list[str], parts: int) -> list[list[str]]:
    size, extra = divmod(len(items), parts)
    chunks: list[list[str]] = []
    start = 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        chunks.append(items[start:end])
        start = end
    return [chunk for chunk in chunks if chunk]


class _Search:
    def __init__(
        self, session: Session, target: str, reproduces: Callable[[TestOutcome], bool]
    ) -> None:
        self.session = session
        self.target = target
        self.reproduces = reproduces

    def reproducing(self, candidates: list[list[str]]) -> list[bool]:
        """For each candidate, whether the target reproduces after it (run concurrently)."""
        results = self.session.run_many([[*tests, self.target] for tests in candidates])
        return [self.reproduces(result.outcome(self.target)) for result, _ in results]

    def first_reproducing(self, candidates: list[list[str]]) -> list[str] | None:
        """The first candidate after which the target reproduces."""
        hits = self.reproducing(candidates)
        return next((tests for tests, hit in zip(candidates, hits, strict=True) if hit), None)

    def shortest_prefix(self, items: list[str], fixed: list[str]) -> int:
        """The fewest leading ``items`` that, followed by ``fixed``, make the target reproduce.

        Known: all of them do, none (just ``fixed``) does not. ``workers`` cut points per
        round, run in parallel: the range shrinks ``workers + 1`` times per round.
        """
        low, high = 0, len(items)
        while high - low > 1:
            step = (high - low) / (self.session.workers + 1)
            cuts = range(1, self.session.workers + 1)
            points = sorted({min(high - 1, low + max(1, round(step * i))) for i in cuts})
            hits = self.reproducing([[*items[:point], *fixed] for point in points])
            for point, hit in zip(points, hits, strict=True):
                if hit:
                    high = point
                    break
                low = point
        return high

    def by_prefix(self, items: list[str]) -> list[str]:
        """Culprits, last first: the end of the shortest reproducing prefix, then again before it.

        Every run is a subsequence of the suite's order, and the set returned reproduced
        (as the shortest prefix, or alone); the caller verifies it again.
        """
        fixed: list[str] = []
        while items:
            end = self.shortest_prefix(items, fixed)
            fixed.insert(0, items[end - 1])
            items = items[: end - 1]
            if not items or self.reproducing([fixed])[0]:
                break
        return fixed

    def ddmin(self, items: list[str]) -> list[str]:
        """A 1-minimal subset of ``items`` after which the target still reproduces."""
        width = self.session.workers + 1
        parts = max(2, min(width, len(items)))
        while len(items) >= 2:  # a single culprit cannot shrink
            chunks = _split(items, parts)
            hit = self.first_reproducing(chunks)
            if hit is not None:
                items, parts = hit, max(2, min(width, len(hit)))
                continue
            if len(chunks) > 2:  # with two parts, the complements are the parts
                complements = [
                    [test for other in chunks if other is not chunk for test in other]
                    for chunk in chunks
                ]
                hit = self.first_reproducing(complements)
                if hit is not None:
                    items, parts = hit, max(parts - 1, 2)
                    continue
            if parts >= len(items):
                break
            parts = min(len(items), parts * 2)
        return items


def _stable(
    session: Session,
    target: str,
    prefix: list[str],
    kind: Kind,
    repeats: int,
) -> tuple[str, str]:
    """``("", "")`` when the target is stable and order-dependent; else (status, detail)."""
    runs = session.run_many([[target]] * repeats + [[*prefix, target]] * repeats)
    alone: list[TestOutcome] = [result.outcome(target) for result, _ in runs[:repeats]]
    after: list[TestOutcome] = [result.outcome(target) for result, _ in runs[repeats:]]
    normal, reproduces = (_passes, _fails) if kind == "polluter" else (_fails, _passes)
    if all(map(normal, alone)) and all(map(reproduces, after)):
        return "", ""
    seen = f"alone: {', '.join(alone)}; after {len(prefix)} earlier tests: {', '.join(after)}"
    if len(set(alone)) == 1 and len(set(after)) == 1:
        return "not-reproduced", seen
    return "unstable", seen


def search(
    session: Session,
    target: str,
    prefix: Sequence[str] | None = None,
    *,
    kind: Kind = "polluter",
    repeats: int = 2,
) -> PollutionResult:
    """The minimal verified set of ``prefix`` tests that makes ``target`` fail (or pass).

    ``prefix``: the tests that ran before the target (default: those collected before it).
    ``kind="polluter"``: the target passes alone and fails after the prefix; ``"enabler"``:
    it fails alone and passes after it.
    """
    started, runs = time.monotonic(), session.runs
    if prefix is None:
        prefix = session.tests[: session.tests.index(target)] if target in session.tests else []
    earlier = [test for test in dict.fromkeys(prefix) if test != target]

    def result(status: str, detail: str, culprits: Sequence[str] = ()) -> PollutionResult:
        return PollutionResult.model_validate(
            {
                "target": target,
                "kind": kind,
                "status": status,
                "culprits": tuple(culprits),
                "runs": session.runs - runs,
                "wall_s": round(time.monotonic() - started, 3),
                "mode": session.mode,
                "repro": repro_command(session, [*culprits, target]) if culprits else "",
                "detail": f"{detail}; {session.fallback}" if session.fallback else detail,
            }
        )

    if target not in session.tests:
        return result("not-reproduced", "the target was not collected")
    if not earlier:
        return result("not-reproduced", "no test runs before the target")
    status, detail = _stable(session, target, earlier, kind, repeats)
    if status:
        return result(status, detail)
    reproduces = _fails if kind == "polluter" else _passes
    finder = _Search(session, target, reproduces)
    # Every run of the prefix search keeps the suite's order, and its set reproduced once;
    # ddmin (cheap on a few tests) makes the set 1-minimal.
    culprits = finder.ddmin(finder.by_prefix(earlier))
    outcomes = _verify(session, target, culprits, repeats)
    if not all(map(reproduces, outcomes)):
        return result("unstable", f"the set found did not reproduce every time: {outcomes}")
    return result("found", f"verified {repeats} times", culprits)


def _verify(session: Session, target: str, culprits: list[str], repeats: int) -> list[TestOutcome]:
    """The target's outcome after ``culprits``, ``repeats`` times."""
    checks = session.run_many([[*culprits, target]] * repeats)
    return [check.outcome(target) for check, _ in checks]

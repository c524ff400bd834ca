"""Which earlier tests make a test fail (polluters), or pass (enablers): a verified minimal set.

detect-test-pollution 1.2.0 bisects one failure with a fresh pytest per step, halves only,
and gives up when two tests are needed together. Here:

- the suite is collected once and every run forks from it (``session.py``);
- each round splits the candidates into ``workers + 1`` parts run in parallel, then (when no
  part alone reproduces) their complements: delta debugging (Zeller's ddmin), so culprits
  needed together end as a set, never as a false single, and the result is 1-minimal
  (dropping any one culprit stops the failure);
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

    def first_reproducing(self, candidates: list[list[str]]) -> list[str] | None:
        """The first candidate after which the target reproduces (all run concurrently)."""
        results = self.session.run_many([[*tests, self.target] for tests in candidates])
        for tests, (result, _) in zip(candidates, results, strict=True):
            if self.reproduces(result.outcome(self.target)):
                return tests
        return None

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
    culprits = _Search(session, target, reproduces).ddmin(earlier)
    checks = session.run_many([[*culprits, target]] * repeats)
    outcomes: list[TestOutcome] = [check.outcome(target) for check, _ in checks]
    if not all(map(reproduces, outcomes)):
        return result("unstable", f"the set found did not reproduce every time: {outcomes}")
    return result("found", f"verified {repeats} times", culprits)

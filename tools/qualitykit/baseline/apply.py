"""The baseline applied to step results, fresh or cached, every time the gate judges them.

Applied after the cache, never stored: the stored result is the tool's own, so an edit of the
baseline file changes the verdict at once (principle 2: never a stale pass). A known finding
is removed and counted; a step that failed only by findings and has none left passes; an
error stays an error; an entry no finding matches is stale, and fails its step until
``qualitykit baseline --update`` removes it (the baseline only shrinks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualitykit.baseline.marks import Marker
from qualitykit.cache import reusable
from qualitykit.results import Finding, Severity, Status, StepResult

if TYPE_CHECKING:
    from pathlib import Path

    from qualitykit.baseline.model import BaselineEntry, BaselineFile
    from qualitykit.steps.base import Step

STALE_CODE = "baseline-stale"


def stale_finding(entry: BaselineEntry) -> Finding:
    """The finding that reports an entry no finding matches any more."""
    where = entry.file or "(no file)"
    what = entry.code or entry.message
    return Finding(
        file=entry.file or None,
        code=STALE_CODE,
        message=(
            f"stale baseline entry {entry.rule} in {where}: {what!r}: "
            "fixed? run `qualitykit baseline --update`"
        ),
    )


def counts_against(finding: Finding) -> bool:
    """Whether ``finding`` makes its step fail (an error; a warning never does): recordable."""
    return finding.severity is Severity.ERROR


def judged(result: StepResult) -> bool:
    """Whether ``result`` is a verdict on findings a baseline can speak to (not an error)."""
    if result.status is Status.PASS:
        return True
    # A failure with no error finding failed for another reason: it is never baselined away.
    return result.status is Status.FAIL and any(map(counts_against, result.findings))


def apply_entries(
    result: StepResult, entries: tuple[BaselineEntry, ...], marker: Marker
) -> StepResult:
    """``result`` with the findings ``entries`` know removed and the stale entries added."""
    if not entries or not judged(result):
        return result
    known = {entry.fingerprint for entry in entries}
    errors = [index for index, finding in enumerate(result.findings) if counts_against(finding)]
    found = marker.entries(result.step, [result.findings[index] for index in errors])
    marks = {index: entry.fingerprint for index, entry in zip(errors, found, strict=True)}
    matched: set[str] = set()
    kept: list[Finding] = []
    for index, finding in enumerate(result.findings):
        mark = marks.get(index)
        if mark is not None and mark in known:
            matched.add(mark)
        else:
            kept.append(finding)
    kept.extend(stale_finding(entry) for entry in entries if entry.fingerprint not in matched)
    left = sum(map(counts_against, kept))
    counts = result.counts.model_copy(
        update={"findings": left, "baseline": len(entries), "baselined": len(matched)}
    )
    return result.model_copy(
        update={
            "status": Status.FAIL if left else Status.PASS,
            "findings": tuple(kept),
            "counts": counts,
            "summary": counts.describe(),
        }
    )


class Applier:
    """Applies one baseline to the results of one run (each file's lines read once)."""

    def __init__(self, baseline: BaselineFile | None, steps: list[Step], root: Path) -> None:
        """``baseline`` (None: none) for ``steps`` in the project at ``root``."""
        self._baseline = baseline
        self._baselinable = {step.name for step in steps if step.baselinable}
        self._marker = Marker(root, steps)

    def reusable(self, previous: StepResult | None, key: str) -> StepResult | None:
        """``previous`` (marked cached) when its key is ``key`` and it passes, baseline applied.

        A failure by known findings alone is reused like a pass: its inputs are unchanged, and
        the baseline is applied to it afresh, so an edited baseline still changes its verdict.
        Any other failure reruns (``cache.reusable``).
        """
        found = reusable(previous, key)
        if found is not None or previous is None or previous.cache_key != key:
            return found
        if previous.status is not Status.FAIL or self(previous).status is not Status.PASS:
            return None
        return previous.model_copy(update={"cached": True})

    def __call__(self, result: StepResult) -> StepResult:
        """``result`` as the gate judges it under the baseline."""
        if self._baseline is None or result.step not in self._baselinable:
            return result
        return apply_entries(result, self._baseline.entries(result.step), self._marker)

"""A run against a baseline bundle: new, fixed and still-failing tests and clusters.

Exit 1 only for what got worse: a new failure, a pass rate under the configured floor or a
runtime over the configured budget. Known failures alone exit 0 (hold-the-line), so triage
can gate a red legacy suite.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from qualitykit.errors import QualityKitError
from qualitykit.state import read_model
from qualitykit.triage.models import Clusters, Failures

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from qualitykit.config import TriageConfig
    from qualitykit.triage.models import Capture, Cluster, Failure

STAMP_NAME = re.compile(r"^\d{8}T\d{6}Z(?:-\d+)?$")


class Delta(BaseModel):
    """``delta.json``: this run against its baseline, and the verdict."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    baseline: str | None
    new_tests: tuple[str, ...]
    fixed_tests: tuple[str, ...]
    still_failing_tests: tuple[str, ...]
    # Baseline failures this run did not run (deselected, removed): neither fixed nor failing.
    not_run_tests: tuple[str, ...]
    new_clusters: tuple[str, ...]
    fixed_clusters: tuple[str, ...]
    still_failing_clusters: tuple[str, ...]
    pass_rate: float
    pass_rate_floor: float | None
    runtime_s: float
    budget_s: float | None

    @property
    def floor_broken(self) -> bool:
        """The pass rate is under the configured floor."""
        return self.pass_rate_floor is not None and self.pass_rate < self.pass_rate_floor

    @property
    def budget_exceeded(self) -> bool:
        """The suite ran longer than the configured budget."""
        return self.budget_s is not None and self.runtime_s > self.budget_s

    @property
    def budget_margin(self) -> float | None:
        """Percent of the budget left (negative when over it), as teams quote it."""
        if self.budget_s is None:
            return None
        return 100.0 * (self.budget_s - self.runtime_s) / self.budget_s

    @property
    def worse(self) -> bool:
        """Something got worse: the run fails (exit 1)."""
        return bool(self.new_tests) or self.floor_broken or self.budget_exceeded


def _order(name: str) -> tuple[str, int]:
    # STAMP-N is the N+1-th bundle of that second: -10 comes after -9.
    stamp, _, number = name.partition("-")
    return stamp, int(number or 0)


def latest_bundle(reports: Path) -> Path | None:
    """The newest bundle under ``reports`` (read before this run writes its own)."""
    if not reports.is_dir():
        return None
    names = sorted(
        (
            entry.name
            for entry in reports.iterdir()
            if entry.is_dir() and STAMP_NAME.match(entry.name)
        ),
        key=_order,
    )
    return reports / names[-1] if names else None


def load_baseline(bundle: Path) -> tuple[tuple[Failure, ...], tuple[Cluster, ...]]:
    """The failures and clusters of a baseline bundle (exit 2 when it is not one)."""
    if not bundle.is_dir():
        raise QualityKitError(f"--baseline {str(bundle)!r}: no such bundle directory")
    failures = read_model(bundle / "failures.json", Failures, "baseline failures", cache=False)
    clusters = read_model(bundle / "clusters.json", Clusters, "baseline clusters", cache=False)
    if failures is None or clusters is None:
        missing = "failures.json" if failures is None else "clusters.json"
        raise QualityKitError(f"{bundle}: not a triage bundle (no {missing})")
    return failures.failures, clusters.clusters


def _split(now: Sequence[str], then: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    current, before = dict.fromkeys(now), dict.fromkeys(then)
    return (
        tuple(name for name in current if name not in before),
        tuple(name for name in before if name not in current),
        tuple(name for name in current if name in before),
    )


def compare(  # noqa: PLR0913 - the run, its baseline and the settings, each needed
    capture: Capture,
    clusters: Sequence[Cluster],
    baseline: tuple[tuple[Failure, ...], tuple[Cluster, ...]] | None,
    baseline_name: str | None,
    *,
    runtime_s: float,
    settings: TriageConfig,
) -> Delta:
    """This run against ``baseline`` (None: no baseline, every failure is new)."""
    old_failures, old_clusters = baseline if baseline is not None else ((), ())
    failures = capture.failures
    new_tests, gone, still_tests = _split(
        [failure.test_id for failure in failures], [failure.test_id for failure in old_failures]
    )
    passed = set(capture.passed)
    fixed_tests = tuple(test for test in gone if test in passed)
    new_clusters, gone_clusters, still_clusters = _split(
        [cluster.id for cluster in clusters], [cluster.id for cluster in old_clusters]
    )
    # A cluster is fixed when every test of it was seen passing, not merely absent.
    fixed_clusters = tuple(
        cluster.id
        for cluster in old_clusters
        if cluster.id in gone_clusters and all(test in passed for test in cluster.tests)
    )
    return Delta(
        baseline=baseline_name,
        new_tests=new_tests,
        fixed_tests=fixed_tests,
        still_failing_tests=still_tests,
        not_run_tests=tuple(test for test in gone if test not in passed),
        new_clusters=new_clusters,
        fixed_clusters=fixed_clusters,
        still_failing_clusters=still_clusters,
        pass_rate=capture.counts.pass_rate,
        pass_rate_floor=settings.pass_rate_floor,
        runtime_s=runtime_s,
        budget_s=settings.budget,
    )

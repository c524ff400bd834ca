"""Typed results of a triage run: failures, clusters and the capture they came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Phase = Literal["setup", "call", "teardown", "collect"]
# failed: the test body failed; error: its setup or teardown did; xpass-strict: a strict xfail
# passed; crashed: an xdist worker died running it; collection: a module could not be collected.
Kind = Literal["failed", "error", "xpass-strict", "crashed", "collection"]
Source = Literal["report-log", "junit"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Frame(_Model):
    """One traceback entry; ``function`` is None when the source format does not carry it."""

    file: str
    line: int
    function: str | None = None


class RaisedException(_Model):
    """An exception's type and message (one link of a chain)."""

    type: str
    message: str


class Failure(_Model):
    """One failing test (or collection) report."""

    test_id: str
    phase: Phase
    kind: Kind
    exception: RaisedException
    # A failed subtest (pytest's ``subtests.test(msg, **kwargs)``): its label, ``[msg] (k=v)``.
    subtest: str = ""
    # Earlier links of the chain, outermost cause first (``raise ... from`` / during handling).
    chain: tuple[RaisedException, ...] = ()
    # Innermost last, of the exception that was finally raised.
    frames: tuple[Frame, ...] = ()
    duration_s: float = 0.0
    output: str = ""
    longrepr: str = ""


class OutcomeCounts(_Model):
    """How many tests ended which way (a test counts once, by its worst phase)."""

    tests: int = 0
    passed: int = 0
    failed: int = 0
    errors: int = 0
    skipped: int = 0
    xfailed: int = 0
    xpassed: int = 0

    @property
    def pass_rate(self) -> float:
        """Percent of the tests that ran (not skipped) which passed; 0 when none ran."""
        ran = self.tests - self.skipped
        return 100.0 * self.passed / ran if ran > 0 else 0.0


class Capture(_Model):
    """What one suite run (or an ingested CI artifact) reported."""

    source: Source
    # JUnit carries no phases for failures, no function names in frames and no chains:
    # a capture from it says so, and clusters from it group by file rather than function.
    detailed: bool
    counts: OutcomeCounts
    failures: tuple[Failure, ...] = ()
    # Tests that passed: a baseline failure is "fixed" only when seen passing, not when absent.
    passed: tuple[str, ...] = ()
    duration_s: float = 0.0
    exit_status: int | None = None


class Cluster(_Model):
    """Failures sharing one signature: same exception type, message shape and root frame."""

    id: str
    exception_type: str
    message: str
    root: str | None
    root_line: int | None
    # The function of the root frame (None outside the project, or from JUnit's flat text).
    root_function: str | None = None
    size: int
    tests: tuple[str, ...]
    representative: str
    repro: str


class Failures(_Model):
    """``failures.json``: every failure of a run."""

    failures: tuple[Failure, ...]


class Clusters(_Model):
    """``clusters.json``: the run's clusters, largest first."""

    clusters: tuple[Cluster, ...]
